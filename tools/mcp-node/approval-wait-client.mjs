// An agent whose call waits for a reviewer, with the TypeScript SDK client over streamable HTTP.
// Usage: SHIELD_TOKEN=shs_... node approval-wait-client.mjs <mcp-url> <tool> [arguments-json] [timeout-ms] [--reset-timeout-on-progress]
// By default the client behaves as the SDK does out of the box: it gives up after timeout-ms (the SDK's default,
// 60000), then exits at once, as an agent that gave up would. With --reset-timeout-on-progress it asks for progress,
// and each notification Shield sends while the call waits starts its timeout again, so it waits as long as Shield does.
// Prints "progress <n> <message>" for each notification, then one JSON line: {"result": …} or {"error": "…", "code": n}.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { DEFAULT_REQUEST_TIMEOUT_MSEC } from "@modelcontextprotocol/sdk/shared/protocol.js";

const [url, tool, args = "{}", timeout = String(DEFAULT_REQUEST_TIMEOUT_MSEC), mode] = process.argv.slice(2);
const resetTimeoutOnProgress = mode === "--reset-timeout-on-progress";
const transport = new StreamableHTTPClientTransport(new URL(url), {
  requestInit: { headers: { Authorization: `Bearer ${process.env.SHIELD_TOKEN}` } },
});
const client = new Client({ name: "shield-ts-waiting-agent", version: "1.0.0" });
await client.connect(transport);
let heard = 0;
try {
  const result = await client.callTool({ name: tool, arguments: JSON.parse(args) }, undefined, {
    timeout: Number(timeout),
    resetTimeoutOnProgress,
    onprogress: resetTimeoutOnProgress ? (progress) => console.log(`progress ${++heard} ${progress.message ?? ""}`) : undefined,
  });
  console.log(JSON.stringify({ result }));
  await client.close();
} catch (error) {
  console.log(JSON.stringify({ error: String(error.message ?? error), code: error.code ?? null }));
  process.exit(0);
}

// A non-.NET MCP client for Shield's relay, used by the tests and by the README's first steps: the TypeScript SDK
// over streamable HTTP.
// Usage: SHIELD_TOKEN=shs_... node relay-client.mjs <mcp-url> <tool> [arguments-json] [refused-tool]
// Prints one JSON line: the listed tool names, the call's result, and the error text of the refused call. When Shield
// refuses the session, the call times out or anything else fails, it prints one line saying so to stderr and exits 1.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [url, tool, args = "{}", refusedTool] = process.argv.slice(2);

async function run() {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { Authorization: `Bearer ${process.env.SHIELD_TOKEN}` } },
  });
  const client = new Client({ name: "shield-ts-client", version: "1.0.0" });
  await client.connect(transport);
  const { tools } = await client.listTools();
  const result = await client.callTool({ name: tool, arguments: JSON.parse(args) });
  let refused = null;
  if (refusedTool) {
    try {
      await client.callTool({ name: refusedTool, arguments: {} });
      refused = "not refused";
    } catch (error) {
      refused = String(error.message ?? error);
    }
  }
  console.log(JSON.stringify({ tools: tools.map((t) => t.name), result, refused }));
  await client.close();
}

try {
  await run();
} catch (error) {
  const message = String(error?.message ?? error).replace(/\s+/g, " ").trim();
  console.error(`relay-client: ${message}`);
  process.exitCode = 1;
}

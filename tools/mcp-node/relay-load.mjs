// A non-.NET load driver for Shield's relay benchmark: the TypeScript SDK client over streamable HTTP.
// Usage: SHIELD_TOKENS=shs_a,shs_b,... node relay-load.mjs <mcp-url> <tool> <sessions> <calls-per-session> <rounds> <warm-up-seconds>
// Opens one MCP session per session (each with its own token when SHIELD_TOKENS is set), warms up for the given
// seconds, then for each round prints "ready", waits for a line on standard input, makes the calls (each session one
// after another, all sessions at once) and prints one JSON line: calls, seconds, p50 and p99 in ms, and this
// process's own CPU time in microseconds over the round.
import { createInterface } from "node:readline";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [url, tool, sessionsText, callsText, roundsText, warmUpText] = process.argv.slice(2);
const [sessions, calls, rounds, warmUp] = [sessionsText, callsText, roundsText, warmUpText].map(Number);
const tokens = (process.env.SHIELD_TOKENS ?? "").split(",").filter((t) => t.length > 0);
const text = "x".repeat(1024);

const clients = await Promise.all(
  Array.from({ length: sessions }, async (_, i) => {
    const headers = { "X-Forwarded-Proto": "https" };
    if (tokens.length > 0) {
      headers.Authorization = `Bearer ${tokens[i % tokens.length]}`;
    }
    const client = new Client({ name: "shield-load", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
    return client;
  }),
);

async function drive(each, latencies) {
  await Promise.all(
    clients.map(async (client) => {
      for (let i = 0; i < each; i++) {
        const begun = performance.now();
        const result = await client.callTool({ name: tool, arguments: { text } });
        latencies?.push(performance.now() - begun);
        if (result.isError || result.content?.[0]?.text?.length !== 1024) {
          throw new Error(`${tool} did not echo its text`);
        }
      }
    }),
  );
}

const warmed = performance.now();
while (performance.now() - warmed < warmUp * 1000) {
  await drive(Math.max(10, Math.floor(calls / 10)));
}

const input = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
for (let round = 0; round < rounds; round++) {
  console.log("ready");
  await input.next();
  const latencies = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  await drive(calls, latencies);
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  latencies.sort((a, b) => a - b);
  const at = (p) => latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)];
  console.log(JSON.stringify({ calls: latencies.length, seconds, p50: at(0.5), p99: at(0.99), cpuMicros: used.user + used.system }));
}

await Promise.all(clients.map((c) => c.close()));
process.exit(0);

// A stdio MCP server that crashes on demand, for Shield's relay tests: "echo" answers, "crash" ends the process
// while the call is in flight. Usage: node crash-fixture.mjs
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";

const schema = { type: "object", properties: { text: { type: "string" } } };
const server = new Server({ name: "crash-fixture", version: "1.0.0" }, { capabilities: { tools: {} } });
server.setRequestHandler(ListToolsRequestSchema, () => ({
  tools: [
    { name: "echo", description: "Echoes the text.", inputSchema: schema, annotations: { readOnlyHint: true } },
    { name: "crash", description: "Ends the server's process.", inputSchema: schema, annotations: { readOnlyHint: true } },
  ],
}));
server.setRequestHandler(CallToolRequestSchema, (request) => {
  if (request.params.name === "crash") {
    process.exit(3);
  }
  return { content: [{ type: "text", text: `echo: ${request.params.arguments?.text ?? ""} (pid ${process.pid})` }] };
});
await server.connect(new StdioServerTransport());

// The upstream fixture for the MCP conformance suite's server scenarios: the tools, resources and prompts the
// scenarios call by name, over streamable HTTP with sessions, on 127.0.0.1 only. Shield's tests run the suite
// against it directly and through the relay, and compare. Usage: PORT=<port> node conformance-fixture.mjs
import http from "node:http";
import { randomUUID } from "node:crypto";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import {
  CallToolRequestSchema, CompleteRequestSchema, CreateMessageResultSchema, ElicitResultSchema, GetPromptRequestSchema,
  ListPromptsRequestSchema, ListResourcesRequestSchema, ListResourceTemplatesRequestSchema, ListToolsRequestSchema,
  ReadResourceRequestSchema, SetLevelRequestSchema, SubscribeRequestSchema, UnsubscribeRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";

const port = Number(process.env.PORT);
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";
const WAV = "UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQAAAAA=";
const empty = { type: "object", properties: {} };
const text = (value) => ({ type: "text", text: value });
const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const tools = [
  { name: "test_simple_text", description: "Returns simple text.", inputSchema: empty },
  { name: "test_image_content", description: "Returns an image.", inputSchema: empty },
  { name: "test_audio_content", description: "Returns audio.", inputSchema: empty },
  { name: "test_embedded_resource", description: "Returns an embedded resource.", inputSchema: empty },
  { name: "test_multiple_content_types", description: "Returns text, an image and a resource.", inputSchema: empty },
  { name: "test_tool_with_logging", description: "Logs while it runs.", inputSchema: empty },
  { name: "test_tool_with_progress", description: "Reports progress.", inputSchema: empty },
  { name: "test_error_handling", description: "Always fails.", inputSchema: empty },
  { name: "test_sampling", description: "Asks the client to sample.", inputSchema: { type: "object", properties: { prompt: { type: "string" } }, required: ["prompt"] } },
  { name: "test_elicitation", description: "Asks the user for input.", inputSchema: { type: "object", properties: { message: { type: "string" } }, required: ["message"] } },
  { name: "test_elicitation_sep1034_defaults", description: "Elicits with defaults.", inputSchema: empty },
  { name: "test_elicitation_sep1330_enums", description: "Elicits with enums.", inputSchema: empty },
  {
    name: "json_schema_2020_12_tool",
    description: "A tool whose schema uses JSON Schema 2020-12.",
    inputSchema: {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      $defs: { address: { type: "object", properties: { street: { type: "string" }, city: { type: "string" } } } },
      properties: { name: { type: "string" }, address: { $ref: "#/$defs/address" } },
      additionalProperties: false,
    },
  },
];

const elicit = (extra, message, properties) =>
  extra.sendRequest({ method: "elicitation/create", params: { message, requestedSchema: { type: "object", properties, required: [] } } }, ElicitResultSchema);

async function call(name, args, extra) {
  switch (name) {
    case "test_simple_text": return { content: [text("This is a simple text response for testing.")] };
    case "test_image_content": return { content: [{ type: "image", data: PNG, mimeType: "image/png" }] };
    case "test_audio_content": return { content: [{ type: "audio", data: WAV, mimeType: "audio/wav" }] };
    case "test_embedded_resource":
      return { content: [{ type: "resource", resource: { uri: "test://embedded-resource", mimeType: "text/plain", text: "This is an embedded resource content." } }] };
    case "test_multiple_content_types":
      return { content: [text("Multiple content types test:"), { type: "image", data: PNG, mimeType: "image/png" },
        { type: "resource", resource: { uri: "test://mixed-content-resource", mimeType: "application/json", text: JSON.stringify({ test: "data", value: 123 }) } }] };
    case "test_tool_with_logging":
      for (const data of ["Tool execution started", "Tool processing data", "Tool execution completed"]) {
        await extra.sendNotification({ method: "notifications/message", params: { level: "info", data } });
        await wait(20);
      }
      return { content: [text("Tool with logging executed successfully")] };
    case "test_tool_with_progress": {
      const progressToken = extra._meta?.progressToken ?? 0;
      for (const progress of [0, 50, 100]) {
        await extra.sendNotification({ method: "notifications/progress", params: { progressToken, progress, total: 100, message: `Completed step ${progress} of 100` } });
        await wait(20);
      }
      return { content: [text(String(progressToken))] };
    }
    case "test_error_handling": return { isError: true, content: [text("This tool intentionally returns an error for testing")] };
    case "test_sampling": {
      const result = await extra.sendRequest({ method: "sampling/createMessage", params: { messages: [{ role: "user", content: text(args.prompt) }], maxTokens: 100 } }, CreateMessageResultSchema);
      return { content: [text(`LLM response: ${result.content?.text ?? "No response"}`)] };
    }
    case "test_elicitation": {
      const result = await extra.sendRequest({ method: "elicitation/create", params: { message: args.message,
        requestedSchema: { type: "object", properties: { response: { type: "string", description: "User's response" } }, required: ["response"] } } }, ElicitResultSchema);
      return { content: [text(`User response: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`)] };
    }
    case "test_elicitation_sep1034_defaults": {
      const result = await elicit(extra, "Please review and update the form fields with defaults", {
        name: { type: "string", description: "User name", default: "John Doe" },
        age: { type: "integer", description: "User age", default: 30 },
        score: { type: "number", description: "User score", default: 95.5 },
        status: { type: "string", description: "User status", enum: ["active", "inactive", "pending"], default: "active" },
        verified: { type: "boolean", description: "Verification status", default: true },
      });
      return { content: [text(`Elicitation completed: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`)] };
    }
    case "test_elicitation_sep1330_enums": {
      const options = ["option1", "option2", "option3"];
      const titled = [["value1", "First Option"], ["value2", "Second Option"], ["value3", "Third Option"]].map(([value, title]) => ({ const: value, title }));
      const result = await elicit(extra, "Please select options from the enum fields", {
        untitledSingle: { type: "string", description: "Select one option", enum: options },
        titledSingle: { type: "string", description: "Select one option with titles", oneOf: titled },
        legacyEnum: { type: "string", description: "Select one option (legacy)", enum: ["opt1", "opt2", "opt3"], enumNames: ["Option One", "Option Two", "Option Three"] },
        untitledMulti: { type: "array", description: "Select multiple options", minItems: 1, maxItems: 3, items: { type: "string", enum: options } },
        titledMulti: { type: "array", description: "Select multiple options with titles", minItems: 1, maxItems: 3, items: { anyOf: titled } },
      });
      return { content: [text(`Elicitation completed: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`)] };
    }
    case "json_schema_2020_12_tool": return { content: [text(`JSON Schema 2020-12 tool called with: ${JSON.stringify(args)}`)] };
    default: throw new Error(`Unknown tool ${name}`);
  }
}

const resources = [
  { uri: "test://static-text", name: "static-text", mimeType: "text/plain" },
  { uri: "test://static-binary", name: "static-binary", mimeType: "image/png" },
  { uri: "test://watched-resource", name: "watched-resource", mimeType: "text/plain" },
];

function read(uri) {
  if (uri === "test://static-text") return { uri, mimeType: "text/plain", text: "This is the content of the static text resource." };
  if (uri === "test://static-binary") return { uri, mimeType: "image/png", blob: PNG };
  if (uri === "test://watched-resource") return { uri, mimeType: "text/plain", text: "Watched resource content" };
  const match = /^test:\/\/template\/([^/]+)\/data$/.exec(uri);
  if (match) return { uri, mimeType: "application/json", text: JSON.stringify({ id: match[1], templateTest: true, data: `Data for ID: ${match[1]}` }) };
  throw new Error(`Unknown resource ${uri}`);
}

const prompts = [
  { name: "test_simple_prompt", description: "A simple prompt without arguments" },
  { name: "test_prompt_with_arguments", description: "A prompt with required arguments",
    arguments: [{ name: "arg1", description: "First test argument", required: true }, { name: "arg2", description: "Second test argument", required: true }] },
  { name: "test_prompt_with_embedded_resource", description: "A prompt that includes an embedded resource",
    arguments: [{ name: "resourceUri", description: "URI of the resource to embed", required: true }] },
  { name: "test_prompt_with_image", description: "A prompt that includes image content" },
];

function prompt(name, args = {}) {
  const user = (content) => ({ role: "user", content });
  switch (name) {
    case "test_simple_prompt": return { messages: [user(text("This is a simple prompt for testing."))] };
    case "test_prompt_with_arguments": return { messages: [user(text(`Prompt with arguments: arg1='${args.arg1}', arg2='${args.arg2}'`))] };
    case "test_prompt_with_embedded_resource":
      return { messages: [user({ type: "resource", resource: { uri: args.resourceUri, mimeType: "text/plain", text: "Embedded resource content for testing." } }),
        user(text("Please process the embedded resource above."))] };
    case "test_prompt_with_image": return { messages: [user({ type: "image", data: PNG, mimeType: "image/png" }), user(text("Please analyze the image above."))] };
    default: throw new Error(`Unknown prompt ${name}`);
  }
}

function newServer() {
  const server = new Server({ name: "conformance-fixture", version: "1.0.0" },
    { capabilities: { tools: {}, resources: { subscribe: true }, prompts: {}, logging: {}, completions: {} } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools }));
  server.setRequestHandler(CallToolRequestSchema, (request, extra) => call(request.params.name, request.params.arguments ?? {}, extra));
  server.setRequestHandler(ListResourcesRequestSchema, () => ({ resources }));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({ resourceTemplates: [{ uriTemplate: "test://template/{id}/data", name: "template", mimeType: "application/json" }] }));
  server.setRequestHandler(ReadResourceRequestSchema, (request) => ({ contents: [read(request.params.uri)] }));
  server.setRequestHandler(SubscribeRequestSchema, () => ({}));
  server.setRequestHandler(UnsubscribeRequestSchema, () => ({}));
  server.setRequestHandler(ListPromptsRequestSchema, () => ({ prompts }));
  server.setRequestHandler(GetPromptRequestSchema, (request) => prompt(request.params.name, request.params.arguments));
  server.setRequestHandler(SetLevelRequestSchema, () => ({}));
  server.setRequestHandler(CompleteRequestSchema, () => ({ completion: { values: [], total: 0, hasMore: false } }));
  return server;
}

const sessions = new Map();
const allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`];
http.createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : undefined;
  const id = req.headers["mcp-session-id"];
  let transport = id ? sessions.get(id) : undefined;
  if (!transport && body?.method === "initialize") {
    transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableDnsRebindingProtection: true,
      allowedHosts,
      onsessioninitialized: (sessionId) => sessions.set(sessionId, transport),
    });
    transport.onclose = () => sessions.delete(transport.sessionId);
    await newServer().connect(transport);
  }
  if (!transport) {
    res.writeHead(id ? 404 : 400, { "content-type": "application/json" });
    res.end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32000, message: id ? "Session not found" : "Initialize first" } }));
    return;
  }
  await transport.handleRequest(req, res, body);
}).listen(port, "127.0.0.1", () => console.log(`conformance fixture listening on ${port}`));

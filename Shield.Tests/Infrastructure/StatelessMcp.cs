using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Shield.Tests.Infrastructure;

/// <summary>
/// Raw requests of the 2026-07-28 revision as its clients send them: the revision, client and capabilities in
/// <c>_meta</c>, the method and name in routing headers, no session.
/// </summary>
public static class StatelessMcp
{
    public const string Revision = "2026-07-28";

    /// <summary>An HTTP client on <paramref name="root"/> that accepts both answers of the transport, with the session token when given.</summary>
    public static HttpClient Agent(string root, string? token)
    {
        var http = new HttpClient { BaseAddress = new Uri(root) };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        http.DefaultRequestHeaders.Accept.ParseAdd("application/json");
        http.DefaultRequestHeaders.Accept.ParseAdd("text/event-stream");
        return http;
    }

    /// <summary>
    /// Sends one request to <c>/mcp</c> (its <c>_meta</c> added to <paramref name="parameters"/>); returns the HTTP status
    /// and the JSON-RPC message answered, or null when the answer is not one (a refusal before MCP, say).
    /// </summary>
    public static async Task<(HttpStatusCode Status, JsonNode? Message)> SendAsync(HttpClient agent, string method, string? name, JsonObject? parameters = null)
    {
        var cancel = TestContext.Current.CancellationToken;
        parameters ??= [];
        parameters["_meta"] = new JsonObject
        {
            ["io.modelcontextprotocol/protocolVersion"] = Revision,
            ["io.modelcontextprotocol/clientInfo"] = new JsonObject { ["name"] = "raw", ["version"] = "1" },
            ["io.modelcontextprotocol/clientCapabilities"] = new JsonObject(),
        };
        var body = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = 1, ["method"] = method, ["params"] = parameters }.ToJsonString();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("MCP-Protocol-Version", Revision);
        request.Headers.Add("Mcp-Method", method);
        if (name is not null)
        {
            request.Headers.Add("Mcp-Name", name);
        }

        using var response = await agent.SendAsync(request, cancel);
        var answer = await response.Content.ReadAsStringAsync(cancel);
        var json = response.Content.Headers.ContentType?.MediaType == "text/event-stream"
            ? answer.Split('\n').LastOrDefault(l => l.StartsWith("data: ", StringComparison.Ordinal))?["data: ".Length..]
            : answer;
        JsonNode? message = null;
        try
        {
            message = string.IsNullOrEmpty(json) ? null : JsonNode.Parse(json);
        }
        catch (System.Text.Json.JsonException)
        {
        }

        return (response.StatusCode, message?["jsonrpc"] is null ? null : message);
    }
}

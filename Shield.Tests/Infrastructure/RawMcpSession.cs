using System.Net.Http.Headers;
using System.Text;

namespace Shield.Tests.Infrastructure;

/// <summary>
/// An MCP session on Shield's <c>/mcp</c> over plain HTTP requests, initialized: what a client outside Shield's process
/// sends and reads, byte for byte, with nothing added (no SDK client dispatching events, no trace context of its own).
/// </summary>
public sealed class RawMcpSession : IDisposable
{
    public const string ProtocolVersion = "2025-11-25";

    private RawMcpSession(HttpClient http, string id) => (Http, Id) = (http, id);

    public HttpClient Http { get; }

    /// <summary>The <c>Mcp-Session-Id</c> Shield gave it.</summary>
    public string Id { get; }

    /// <param name="headers">Headers every request carries besides the token (such as a traceparent).</param>
    public static async Task<RawMcpSession> OpenAsync(string root, string token, CancellationToken cancel, IReadOnlyDictionary<string, string>? headers = null)
    {
        var http = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { BaseAddress = new Uri(root) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        http.DefaultRequestHeaders.Accept.ParseAdd("application/json");
        http.DefaultRequestHeaders.Accept.ParseAdd("text/event-stream");
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            http.DefaultRequestHeaders.Add(name, value);
        }

        using var initialized = await PostAsync(http, null, """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""", cancel);
        var session = new RawMcpSession(http, initialized.Headers.GetValues("Mcp-Session-Id").Single());
        (await session.PostAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""", cancel)).Dispose();
        return session;
    }

    /// <summary>Posts a JSON-RPC message on the session; the answer's body (a stream of events, or JSON) is read as it comes.</summary>
    public Task<HttpResponseMessage> PostAsync(string body, CancellationToken cancel) => PostAsync(Http, Id, body, cancel);

    /// <summary>Resumes a response stream after the event with this id.</summary>
    public Task<HttpResponseMessage> ResumeAsync(string lastEventId, CancellationToken cancel)
    {
        var resume = new HttpRequestMessage(HttpMethod.Get, "/mcp");
        resume.Headers.Add("Mcp-Session-Id", Id);
        resume.Headers.Add("MCP-Protocol-Version", ProtocolVersion);
        resume.Headers.Add("Last-Event-ID", lastEventId);
        return Http.SendAsync(resume, HttpCompletionOption.ResponseHeadersRead, cancel);
    }

    public void Dispose() => Http.Dispose();

    /// <summary>Posts a JSON-RPC message with any session id (or none) through a client of any instance.</summary>
    public static Task<HttpResponseMessage> PostAsync(HttpClient http, string? session, string body, CancellationToken cancel)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (session is not null)
        {
            request.Headers.Add("Mcp-Session-Id", session);
            request.Headers.Add("MCP-Protocol-Version", ProtocolVersion);
        }

        return http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel);
    }
}

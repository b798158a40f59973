using System.Net.Http.Headers;
using System.Text;
using ModelContextProtocol.Protocol;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Relay;

/// <summary>A client that loses a response stream resumes it with Last-Event-ID and still gets its answer.</summary>
public sealed class RelayResumptionTests
{
    [Fact]
    public async Task AResponseStreamLostMidCall_ResumesWithLastEventId_AndDeliversTheResult()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var relay = await RelayHarness.StartAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        relay.Upstream.OnCall = async (_, _) =>
        {
            await release.Task;
            return new CallToolResult { Content = [new TextContentBlock { Text = "worth the wait" }] };
        };
        using var http = new HttpClient { BaseAddress = new Uri(relay.Root) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await relay.TokenAsync("crm__lookup"));
        http.DefaultRequestHeaders.Accept.ParseAdd("application/json");
        http.DefaultRequestHeaders.Accept.ParseAdd("text/event-stream");
        using var initialized = await PostAsync(http, null, """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""", cancel);
        var session = initialized.Headers.GetValues("Mcp-Session-Id").Single();
        (await PostAsync(http, session, """{"jsonrpc":"2.0","method":"notifications/initialized"}""", cancel)).Dispose();

        string lastEventId;
        using (var call = await PostAsync(http, session, """{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"crm__lookup","arguments":{"text":"a"}}}""", cancel))
        {
            using var reader = new StreamReader(await call.Content.ReadAsStreamAsync(cancel));
            lastEventId = await FirstEventIdAsync(reader, cancel); // the stream is primed with an event id before any result
        }

        release.SetResult();
        using var resume = new HttpRequestMessage(HttpMethod.Get, "/mcp");
        resume.Headers.Add("Mcp-Session-Id", session);
        resume.Headers.Add("MCP-Protocol-Version", "2025-11-25");
        resume.Headers.Add("Last-Event-ID", lastEventId);
        using var resumed = await http.SendAsync(resume, HttpCompletionOption.ResponseHeadersRead, cancel);
        using var events = new StreamReader(await resumed.Content.ReadAsStreamAsync(cancel));
        string? line;
        while ((line = await events.ReadLineAsync(cancel)) is not null && !line.Contains("worth the wait", StringComparison.Ordinal))
        {
        }

        Assert.NotNull(line);
        Assert.Contains("\"id\":7", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStreamLostWhileTheCallWaitsForApproval_WithdrawsTheCall_AndTheResumedStreamSaysSo()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var relay = await RelayHarness.StartAsync();
        using var watch = new ApprovalWatch(relay.App);
        var calls = 0;
        relay.Upstream.OnCall = (_, _) =>
        {
            Interlocked.Increment(ref calls);
            return ValueTask.FromResult(new CallToolResult());
        };
        using var http = new HttpClient { BaseAddress = new Uri(relay.Root) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await relay.TokenAsync("crm__delete_record"));
        http.DefaultRequestHeaders.Accept.ParseAdd("application/json");
        http.DefaultRequestHeaders.Accept.ParseAdd("text/event-stream");
        using var initialized = await PostAsync(http, null, """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""", cancel);
        var session = initialized.Headers.GetValues("Mcp-Session-Id").Single();
        (await PostAsync(http, session, """{"jsonrpc":"2.0","method":"notifications/initialized"}""", cancel)).Dispose();

        string lastEventId;
        using (var call = await PostAsync(http, session, """{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"crm__delete_record","arguments":{"text":"a"}}}""", cancel))
        {
            using var reader = new StreamReader(await call.Content.ReadAsStreamAsync(cancel));
            lastEventId = await FirstEventIdAsync(reader, cancel);
            await watch.NextAsync(Shield.Console.Approvals.ApprovalEventKind.Requested);
        }

        var withdrawn = await watch.NextAsync(Shield.Console.Approvals.ApprovalEventKind.Decided);
        Assert.Equal(Shield.Core.Approvals.ApprovalStatus.Withdrawn, withdrawn.Status);
        using var resume = new HttpRequestMessage(HttpMethod.Get, "/mcp");
        resume.Headers.Add("Mcp-Session-Id", session);
        resume.Headers.Add("MCP-Protocol-Version", "2025-11-25");
        resume.Headers.Add("Last-Event-ID", lastEventId);
        using var resumed = await http.SendAsync(resume, HttpCompletionOption.ResponseHeadersRead, cancel);
        using var events = new StreamReader(await resumed.Content.ReadAsStreamAsync(cancel));
        string? line;
        while ((line = await events.ReadLineAsync(cancel)) is not null && !line.Contains("\"id\":7", StringComparison.Ordinal))
        {
        }

        Assert.NotNull(line);
        Assert.Contains("The call was withdrawn and not forwarded. The agent stopped waiting: its request was aborted or its connection closed.", line, StringComparison.Ordinal);
        Assert.Equal(0, calls);
    }

    private static async Task<string> FirstEventIdAsync(StreamReader reader, CancellationToken cancel)
    {
        string? line;
        while ((line = await reader.ReadLineAsync(cancel)) is not null)
        {
            if (line.StartsWith("id:", StringComparison.Ordinal))
            {
                return line["id:".Length..].Trim();
            }
        }

        throw new InvalidOperationException("The response stream carried no event id.");
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient http, string? session, string body, CancellationToken cancel)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (session is not null)
        {
            request.Headers.Add("Mcp-Session-Id", session);
            request.Headers.Add("MCP-Protocol-Version", "2025-11-25");
        }

        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel);
    }
}

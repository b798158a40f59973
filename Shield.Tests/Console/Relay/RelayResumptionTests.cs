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
        using var session = await RawMcpSession.OpenAsync(relay.Root, await relay.TokenAsync("crm__lookup"), cancel);

        string lastEventId;
        using (var call = await session.PostAsync("""{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"crm__lookup","arguments":{"text":"a"}}}""", cancel))
        {
            using var reader = new StreamReader(await call.Content.ReadAsStreamAsync(cancel));
            lastEventId = await FirstEventIdAsync(reader, cancel); // the stream is primed with an event id before any result
        }

        release.SetResult();
        using var resumed = await session.ResumeAsync(lastEventId, cancel);
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
        using var session = await RawMcpSession.OpenAsync(relay.Root, await relay.TokenAsync("crm__delete_record"), cancel);

        string lastEventId;
        using (var call = await session.PostAsync("""{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"crm__delete_record","arguments":{"text":"a"}}}""", cancel))
        {
            using var reader = new StreamReader(await call.Content.ReadAsStreamAsync(cancel));
            lastEventId = await FirstEventIdAsync(reader, cancel);
            await watch.NextAsync(Shield.Console.Approvals.ApprovalEventKind.Requested);
        }

        var withdrawn = await watch.NextAsync(Shield.Console.Approvals.ApprovalEventKind.Decided);
        Assert.Equal(Shield.Core.Approvals.ApprovalStatus.Withdrawn, withdrawn.Status);
        using var resumed = await session.ResumeAsync(lastEventId, cancel);
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
}

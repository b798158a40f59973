using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;
using Shield.Console.Auditing;
using Shield.Core.Auditing;
using Shield.Core.Persistence;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Relay;

/// <summary>An upstream session the upstream has dropped (expired, restarted) is opened afresh without failing the agent's call.</summary>
public sealed class RelayStaleSessionTests
{
    private static readonly Dictionary<string, object?> Text = new() { ["text"] = "x" };
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(true)] // the server's shared session
    [InlineData(false)] // the agent session's own
    public async Task ACallOnASessionTheUpstreamDropped_IsSentAgainOnANewSession(bool shared)
    {
        await using var relay = await RelayHarness.StartAsync(register: async (app, upstream) =>
        {
            await RelayHarness.RegisterCrmAsync(app, upstream);
            if (shared)
            {
                await app.ShareSessionsAsync("crm");
            }
        }, revision: UpstreamServer.SessionRevision);
        await using var client = await relay.ConnectAsync(await relay.TokenAsync("crm__lookup"));
        await client.CallToolAsync("crm__lookup", Text, cancellationToken: _cancel);
        var session = relay.Upstream.Requests.Last(r => r.ContainsKey("Mcp-Session-Id"))["Mcp-Session-Id"];
        var calls = 0;
        relay.Upstream.OnCall = (_, _) =>
        {
            Interlocked.Increment(ref calls);
            return ValueTask.FromResult(new CallToolResult { Content = [new TextContentBlock { Text = "again" }] });
        };

        using (var http = new HttpClient())
        using (var end = new HttpRequestMessage(HttpMethod.Delete, relay.Upstream.Url))
        {
            end.Headers.Add("Mcp-Session-Id", session);
            (await http.SendAsync(end, _cancel)).EnsureSuccessStatusCode();
        }

        var result = await client.CallToolAsync("crm__lookup", Text, cancellationToken: _cancel);

        Assert.Equal("again", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
        Assert.Equal(1, calls);
        Assert.NotEqual(session, relay.Upstream.Requests.Last(r => r.ContainsKey("Mcp-Session-Id"))["Mcp-Session-Id"]);
        await relay.App.Services.GetRequiredService<AuditWriter>().FlushAsync(_cancel);
        await using var db = await relay.App.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContextAsync(_cancel);
        var outcome = await db.AuditRecords.Where(r => r.EventType == AuditEventTypes.CallCompleted).OrderBy(r => r.Sequence).LastAsync(_cancel);
        Assert.StartsWith("Sent a second time, on a new upstream session", outcome.Reason, StringComparison.Ordinal);
    }
}

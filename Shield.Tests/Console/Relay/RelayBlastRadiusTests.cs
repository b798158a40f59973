using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using Shield.Console.Policy;
using Shield.Console.Registry;
using Shield.Core.Auditing;
using Shield.Core.Grants;
using Shield.Core.Persistence;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Relay;

/// <summary>
/// One tool Shield cannot serve costs only that tool, and what happens as expected (calls, refusals) is not logged as
/// a warning or an error: the trail has it.
/// </summary>
public sealed class RelayBlastRadiusTests
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnApprovedToolShieldCannotServe_IsLeftOut_AndOnlyItsCallsAreRefused_AndRecorded()
    {
        await using var relay = await RelayHarness.StartAsync();
        var key = await relay.AgentAsync("all-tools-bot", ("crm", Grant.AllTools, GrantEffect.Allow));
        // Approved before discovery refused such definitions: an annotation of the wrong type, an input schema that is no object.
        await BreakAsync(relay, "lookup", t => t.Annotations = """{"readOnlyHint":"yes"}""");
        await BreakAsync(relay, "export", t => t.InputSchema = """{"type":"string"}""");
        await using var client = await relay.ConnectAsync((await relay.MintAsync(key: key)).GetProperty("token").GetString()!);

        var tools = await client.ListToolsAsync(cancellationToken: _cancel);
        var allowed = await client.CallToolAsync("crm__delete_record", new Dictionary<string, object?> { ["text"] = "r1" }, cancellationToken: _cancel);
        var refused = await Assert.ThrowsAsync<McpProtocolException>(async () =>
            await client.CallToolAsync("crm__lookup", new Dictionary<string, object?> { ["text"] = "acme" }, cancellationToken: _cancel));

        Assert.Equal(["crm__delete_record"], tools.Select(t => t.Name));
        Assert.Equal("called delete_record", Assert.IsType<TextContentBlock>(allowed.Content[0]).Text);
        Assert.Contains("Shield cannot serve the tool crm__lookup: its annotations do not fit MCP's: the value at $.readOnlyHint has the wrong JSON type",
            refused.Message, StringComparison.Ordinal);
        var record = (await relay.TrailAsync()).Last();
        Assert.Equal((AuditEventTypes.CallDenied, "lookup", "refused"), (record.EventType, record.Tool, record.Outcome));
        Assert.NotNull(record.ArgumentsFingerprint);
        var page = await relay.App.Services.GetRequiredService<ToolReview>().DetailAsync((await relay.App.ToolsAsync("crm")).Single(t => t.Name == "export").Id, _cancel);
        Assert.Contains("its inputSchema is not a JSON Schema object whose \"type\" is \"object\"", page!.Unservable, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallsAndRefusals_LogNoWarningOrError_AndAtMostOneLineEach()
    {
        var app = new ShieldAppFactory
        {
            Settings = new Dictionary<string, string?>
            {
                // As a production console logs (appsettings.json), and the SDK's client at Warning: it must find the tool pinned.
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:ModelContextProtocol.Client.McpClient"] = "Warning",
            },
        };
        await using var relay = await RelayHarness.StartAsync(app);
        await using var client = await relay.ConnectAsync(await relay.TokenAsync("crm__lookup"));
        var before = app.Logs.Entries.Count;

        await client.CallToolAsync("crm__lookup", new Dictionary<string, object?> { ["text"] = "acme" }, cancellationToken: _cancel);
        await Assert.ThrowsAsync<McpProtocolException>(async () => await client.CallToolAsync("crm__export", cancellationToken: _cancel));
        await Assert.ThrowsAsync<McpProtocolException>(async () =>
            await client.CallToolAsync("crm__lookup", new Dictionary<string, object?> { ["text"] = 42 }, cancellationToken: _cancel));
        await relay.TrailAsync();

        var logged = app.Logs.Entries.Skip(before).ToList();
        Assert.DoesNotContain(logged, e => e.Level >= LogLevel.Warning);
        Assert.True(logged.Count <= 3, string.Join(Environment.NewLine, logged.Select(e => $"{e.Level} {e.Category}: {e.Message}")));
    }

    private static async Task BreakAsync(RelayHarness relay, string tool, Action<Shield.Core.Registry.RegisteredTool> change)
    {
        await using (var db = await relay.App.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContextAsync(TestContext.Current.CancellationToken))
        {
            change(await db.Tools.SingleAsync(t => t.Name == tool, TestContext.Current.CancellationToken));
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        await relay.App.Services.GetRequiredService<PolicyRefresh>().RefreshAsync(TestContext.Current.CancellationToken);
    }
}

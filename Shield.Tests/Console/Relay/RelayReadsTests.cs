using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using Shield.Console.Auditing;
using Shield.Core.Auditing;
using Shield.Core.Persistence;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Relay;

/// <summary>Every resource read and prompt an agent gets through the relay is in the trail before the agent has it.</summary>
public sealed class RelayReadsTests : IAsyncLifetime
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;
    private RelayHarness _relay = default!;

    public async ValueTask InitializeAsync() => _relay = await RelayHarness.StartAsync(resourcesAndPrompts: true);

    public async ValueTask DisposeAsync() => await _relay.DisposeAsync();

    [Fact]
    public async Task AResourceReadAndAPrompt_AreEachRecorded_WithTheirSessionServerAndOutcome()
    {
        var minted = await _relay.MintAsync(["crm__lookup"]);
        await using var client = await _relay.ConnectAsync(minted.GetProperty("token").GetString()!);

        await client.ListResourcesAsync(cancellationToken: _cancel);
        var read = await client.ReadResourceAsync("memo://greeting", cancellationToken: _cancel);
        var prompt = await client.GetPromptAsync("crm__greet", new Dictionary<string, object?> { ["name"] = "ada@example.com" }, cancellationToken: _cancel);

        Assert.Equal("hello", Assert.IsType<TextResourceContents>(Assert.Single(read.Contents)).Text);
        Assert.Equal("Greet ada@example.com.", Assert.IsType<TextContentBlock>(Assert.Single(prompt.Messages).Content).Text);
        var trail = await TrailAsync();
        Assert.Equal([AuditEventTypes.ResourceRead, AuditEventTypes.PromptGet], trail.Select(r => r.EventType));
        Assert.All(trail, r => Assert.Equal(("invoice-bot", minted.GetProperty("id").GetGuid(), "crm", "ok", "Allow"), (r.ActorName, r.SessionId!.Value, r.Server, r.Outcome, r.Decision)));
        Assert.All(trail, r => Assert.NotNull(r.DurationMicroseconds));
        Assert.Equal(("resource", "memo://greeting"), (trail[0].Subject, trail[0].SubjectKey));
        Assert.Equal(("prompt", "crm__greet", """{"name":"[REDACTED:email]"}"""), (trail[1].Subject, trail[1].SubjectKey, trail[1].RedactedArguments));
    }

    [Fact]
    public async Task AReadShieldRefuses_AndOneTheUpstreamFails_AreRecordedWithWhy()
    {
        await using var client = await _relay.ConnectAsync(await _relay.TokenAsync("crm__lookup"));
        await client.ListResourcesAsync(cancellationToken: _cancel);

        var refused = await Assert.ThrowsAsync<McpProtocolException>(async () => await client.GetPromptAsync("hr__greet", cancellationToken: _cancel));
        var failed = await Assert.ThrowsAsync<McpProtocolException>(async () => await client.ReadResourceAsync("memo://nothing", cancellationToken: _cancel));

        var trail = await TrailAsync();
        Assert.Equal([("refused", "Deny"), ("error", "Allow")], trail.Select(r => (r.Outcome!, r.Decision!)));
        Assert.Contains("may not use the prompts of 'hr'", trail[0].Reason, StringComparison.Ordinal);
        Assert.Contains("No resource memo://nothing", trail[1].Reason, StringComparison.Ordinal);
        Assert.Contains("may not use the prompts of 'hr'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("No resource memo://nothing", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APromptOfAServerThatIsDown_FailsAsAnOutage_NotAsARefusal()
    {
        await using var client = await _relay.ConnectAsync(await _relay.TokenAsync("crm__lookup"));
        await _relay.Upstream.DisposeAsync();

        var error = await Assert.ThrowsAsync<McpProtocolException>(async () => await client.GetPromptAsync("crm__greet", cancellationToken: _cancel));

        Assert.Contains("The server crm is unavailable", error.Message, StringComparison.Ordinal);
        var record = Assert.Single(await TrailAsync());
        Assert.Equal(("error", "Allow"), (record.Outcome, record.Decision));
        Assert.Contains("The server crm is unavailable", record.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhenTheTrailCannotTakeTheRecord_TheAgentGetsAnErrorNotTheContent()
    {
        await using var client = await _relay.ConnectAsync(await _relay.TokenAsync("crm__lookup"));
        await client.ListResourcesAsync(cancellationToken: _cancel); // the catalog is loaded before the outage

        McpProtocolException error;
        using (DatabaseOutage.Begin(_relay.App))
        {
            error = await Assert.ThrowsAsync<McpProtocolException>(async () => await client.ReadResourceAsync("memo://greeting", cancellationToken: _cancel));
        }

        Assert.Contains("Shield cannot record the request, so it refuses it", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hello", error.Message, StringComparison.Ordinal);
    }

    private async Task<List<AuditRecord>> TrailAsync()
    {
        await _relay.App.Services.GetRequiredService<AuditWriter>().FlushAsync(_cancel);
        await using var db = await _relay.App.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContextAsync(_cancel);
        return await db.AuditRecords.AsNoTracking()
            .Where(r => r.EventType == AuditEventTypes.ResourceRead || r.EventType == AuditEventTypes.PromptGet).OrderBy(r => r.Sequence).ToListAsync(_cancel);
    }
}

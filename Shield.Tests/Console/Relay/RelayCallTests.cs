using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using Shield.Core.Auditing;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Relay;

/// <summary>tools/list and tools/call through the relay with the C# SDK client: scope, decisions, schemas, audit.</summary>
public sealed class RelayCallTests : IAsyncLifetime
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;
    private RelayHarness _relay = default!;

    public async ValueTask InitializeAsync() => _relay = await RelayHarness.StartAsync();

    public async ValueTask DisposeAsync() => await _relay.DisposeAsync();

    [Fact]
    public async Task ToolsList_HoldsExactlyTheSessionsCallableTools_UnderQualifiedNames_WithTheirPinnedDefinitions()
    {
        await using var client = await _relay.ConnectAsync(await _relay.TokenAsync());

        var tools = await client.ListToolsAsync(cancellationToken: _cancel);

        Assert.Equal(["crm__delete_record", "crm__lookup"], tools.Select(t => t.Name));
        var lookup = tools.Single(t => t.Name == "crm__lookup").ProtocolTool;
        Assert.Equal("The lookup tool.", lookup.Description);
        Assert.Equal("{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}}}", lookup.InputSchema.GetRawText());
    }

    [Fact]
    public async Task WhenTheDatabaseIsDownBeforeTheCatalogLoads_TheAgentIsToldWhy_AndNothingGetsThrough()
    {
        await using var client = await _relay.ConnectAsync(await _relay.TokenAsync());
        var calls = CountCalls();

        McpProtocolException listing, calling;
        using (DatabaseOutage.Begin(_relay.App))
        {
            listing = await Assert.ThrowsAsync<McpProtocolException>(async () => await client.ListToolsAsync(cancellationToken: _cancel));
            calling = await Assert.ThrowsAsync<McpProtocolException>(async () =>
                await client.CallToolAsync("crm__lookup", new Dictionary<string, object?> { ["text"] = "x" }, cancellationToken: _cancel));
        }

        Assert.All([listing, calling], e => Assert.Contains("Shield cannot load its catalog of tools right now", e.Message, StringComparison.Ordinal));
        Assert.Equal(0, calls());
    }

    [Fact]
    public async Task AnAllowedCall_ReachesTheUpstream_AndItsResultComesBackUnchanged()
    {
        _relay.Upstream.OnCall = (request, _) => ValueTask.FromResult(new CallToolResult
        {
            Content = [new TextContentBlock { Text = $"{request.Params!.Name}:{request.Params.Arguments!["text"].GetString()}" }, new ImageContentBlock { Data = "aGk="u8.ToArray(), MimeType = "image/png" }],
            StructuredContent = JsonDocument.Parse("{\"found\":3}").RootElement.Clone(),
        });
        await using var client = await _relay.ConnectAsync(await _relay.TokenAsync("crm__lookup"));

        var result = await client.CallToolAsync("crm__lookup", new Dictionary<string, object?> { ["text"] = "acme" }, cancellationToken: _cancel);

        Assert.NotEqual(true, result.IsError);
        Assert.Equal("lookup:acme", Assert.IsType<TextContentBlock>(result.Content[0]).Text);
        Assert.Equal("image/png", Assert.IsType<ImageContentBlock>(result.Content[1]).MimeType);
        Assert.Equal(3, result.StructuredContent!.Value.GetProperty("found").GetInt32());
        var trail = await TrailAsync();
        Assert.Equal([AuditEventTypes.CallAllowed, AuditEventTypes.CallCompleted], trail.Select(r => r.EventType));
        Assert.All(trail, r => Assert.Equal(("invoice-bot", "crm", "lookup"), (r.ActorName, r.Server, r.Tool)));
        Assert.Equal("ok", trail[1].Outcome);
        Assert.NotNull(trail[1].DurationMicroseconds);
        Assert.Equal(trail[0].ArgumentsFingerprint, trail[1].ArgumentsFingerprint);
    }

    [Fact]
    public async Task AClientOfTheStatelessRevision_IsServedPerRequest()
    {
        await using var client = await _relay.ConnectAsync(await _relay.TokenAsync("crm__lookup"), new() { ProtocolVersion = "2026-07-28" });

        var tools = await client.ListToolsAsync(cancellationToken: _cancel);
        var result = await client.CallToolAsync("crm__lookup", new Dictionary<string, object?> { ["text"] = "acme" }, cancellationToken: _cancel);

        Assert.Null(client.SessionId);
        Assert.Equal(["crm__lookup"], tools.Select(t => t.Name));
        Assert.Equal("called lookup", Assert.IsType<TextContentBlock>(result.Content[0]).Text);
    }

    [Fact]
    public async Task TheTrail_HoldsTheArgumentsWithSecretsAndPersonalDataMasked()
    {
        await using var client = await _relay.ConnectAsync(await _relay.TokenAsync("crm__lookup"));

        await client.CallToolAsync("crm__lookup", new Dictionary<string, object?> { ["text"] = "write to ada@example.com", ["password"] = "hunter2" }, cancellationToken: _cancel);

        var trail = await TrailAsync();
        Assert.All(trail, r => Assert.Equal("""{"text":"write to [REDACTED:email]","password":"[REDACTED:secret]"}""", r.RedactedArguments));
        Assert.DoesNotContain(trail, r => r.RedactedArguments!.Contains("hunter2", StringComparison.Ordinal) || r.RedactedArguments.Contains("ada@", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AToolFailure_StaysAResultWithIsError()
    {
        _relay.Upstream.OnCall = (_, _) => ValueTask.FromResult(new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = "no such customer" }] });
        await using var client = await _relay.ConnectAsync(await _relay.TokenAsync("crm__lookup"));

        var result = await client.CallToolAsync("crm__lookup", new Dictionary<string, object?> { ["text"] = "nobody" }, cancellationToken: _cancel);

        Assert.True(result.IsError);
        Assert.Equal("no such customer", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
        Assert.Equal("tool-error", (await TrailAsync()).Last().Outcome);
    }

    [Fact]
    public async Task AnUngrantedTool_IsNeitherListedNorCallable_AndTheRefusalIsAudited()
    {
        var calls = CountCalls();
        await using var client = await _relay.ConnectAsync(await _relay.TokenAsync());

        var error = await Assert.ThrowsAsync<McpProtocolException>(async () => await client.CallToolAsync("crm__export", cancellationToken: _cancel));

        Assert.DoesNotContain(await client.ListToolsAsync(cancellationToken: _cancel), t => t.Name == "crm__export");
        Assert.Contains("not in this session's tools", error.Message, StringComparison.Ordinal);
        var refused = Assert.Single(await TrailAsync());
        Assert.Equal((AuditEventTypes.CallDenied, "refused", "Deny"), (refused.EventType, refused.Outcome, refused.Decision));
        Assert.Equal(0, calls());
    }

    [Fact]
    public async Task ArgumentsThatDoNotFitThePinnedSchema_AreRefusedBeforeTheUpstream()
    {
        await using var client = await _relay.ConnectAsync(await _relay.TokenAsync("crm__lookup"));

        var error = await Assert.ThrowsAsync<McpProtocolException>(async () =>
            await client.CallToolAsync("crm__lookup", new Dictionary<string, object?> { ["text"] = 42 }, cancellationToken: _cancel));

        Assert.Contains("do not match the tool's input schema", error.Message, StringComparison.Ordinal);
        Assert.Contains("text", error.Message, StringComparison.Ordinal);
        Assert.Equal(McpErrorCode.InvalidParams, error.ErrorCode);
        Assert.Equal(AuditEventTypes.CallDenied, Assert.Single(await TrailAsync()).EventType);
    }

    [Fact]
    public async Task ARevokedGrant_TakesTheToolAwayFromALiveSession()
    {
        await using var client = await _relay.ConnectAsync(await _relay.TokenAsync("crm__lookup"));
        Assert.Single(await client.ListToolsAsync(cancellationToken: _cancel));
        var grants = _relay.App.Services.GetRequiredService<Shield.Console.Grants.GrantBook>();
        var grant = (await grants.ListAsync(cancellationToken: _cancel)).Single(g => g.Tool == "lookup");
        await grants.RemoveAsync(grant.Id, Registrations.Admin, _cancel);

        var error = await Assert.ThrowsAsync<McpProtocolException>(async () =>
            await client.CallToolAsync("crm__lookup", new Dictionary<string, object?> { ["text"] = "acme" }, cancellationToken: _cancel));

        Assert.Empty(await client.ListToolsAsync(cancellationToken: _cancel));
        Assert.Contains("No grant gives this agent", error.Message, StringComparison.Ordinal);
    }

    private Func<int> CountCalls()
    {
        var calls = 0;
        _relay.Upstream.OnCall = (_, _) =>
        {
            Interlocked.Increment(ref calls);
            return ValueTask.FromResult(new CallToolResult());
        };
        return () => Volatile.Read(ref calls);
    }

    private Task<List<AuditRecord>> TrailAsync() => _relay.TrailAsync();
}

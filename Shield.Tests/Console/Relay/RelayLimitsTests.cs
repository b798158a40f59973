using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Relay;

/// <summary>Limits, a trail that cannot be written, and credentials: each answered clearly, nothing leaked.</summary>
public sealed class RelayLimitsTests : IAsyncLifetime
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private RelayHarness _relay = default!;

    public async ValueTask InitializeAsync() => _relay = await RelayHarness.StartAsync(new ShieldAppFactory
    {
        Settings = new Dictionary<string, string?>
        {
            ["Shield:Relay:MaxRequestBodyBytes"] = "65536",
            ["Shield:Relay:MaxArgumentBytes"] = "4096",
            ["Shield:Relay:MaxCallsInFlightPerSession"] = "1",
            ["Shield:Relay:MaxResultBytes"] = "8192",
        },
        // Time stands still: the session check stays cached while the database is away.
        TestServices = s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(_time)),
    });

    public async ValueTask DisposeAsync() => await _relay.DisposeAsync();

    [Fact]
    public async Task ArgumentsOverTheLimit_AreRefused_NamingTheSetting()
    {
        await using var client = await _relay.ConnectAsync(await _relay.TokenAsync("crm__lookup"));

        var error = await Assert.ThrowsAsync<McpProtocolException>(async () =>
            await client.CallToolAsync("crm__lookup", new Dictionary<string, object?> { ["text"] = new string('x', 5_000) }, cancellationToken: _cancel));

        Assert.Contains("Shield:Relay:MaxArgumentBytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABodyOverTheLimit_IsRefusedWith413_NamingTheSetting()
    {
        using var http = new HttpClient { BaseAddress = new Uri(_relay.Root) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = new StringContent("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"pad\":\"" + new string('x', 70_000) + "\"}}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await _relay.TokenAsync());

        var response = await http.SendAsync(request, _cancel);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("Shield:Relay:MaxRequestBodyBytes", await response.Content.ReadAsStringAsync(_cancel), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallsBeyondTheSessionsInFlightLimit_AreRefused_AcrossItsMcpSessions()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _relay.Upstream.OnCall = async (_, _) =>
        {
            entered.TrySetResult();
            await release.Task;
            return new CallToolResult { Content = [new TextContentBlock { Text = "done" }] };
        };
        var token = await _relay.TokenAsync("crm__lookup");
        await using var client = await _relay.ConnectAsync(token);
        await using var second = await _relay.ConnectAsync(token); // another MCP session of the same Shield session
        var first = client.CallToolAsync("crm__lookup", new Dictionary<string, object?> { ["text"] = "a" }, cancellationToken: _cancel).AsTask();
        await entered.Task.WaitAsync(_cancel);

        var error = await Assert.ThrowsAsync<McpProtocolException>(async () =>
            await second.CallToolAsync("crm__lookup", new Dictionary<string, object?> { ["text"] = "b" }, cancellationToken: _cancel));
        release.SetResult();

        Assert.Contains("Shield:Relay:MaxCallsInFlightPerSession", error.Message, StringComparison.Ordinal);
        Assert.Equal("done", Assert.IsType<TextContentBlock>((await first).Content[0]).Text);
        // The refusal carries the arguments' fingerprint like any other: the same as the call with "b" made now.
        await second.CallToolAsync("crm__lookup", new Dictionary<string, object?> { ["text"] = "b" }, cancellationToken: _cancel);
        var trail = await _relay.TrailAsync();
        var refused = trail.Single(r => r.EventType == "tool-call.denied");
        Assert.NotNull(refused.ArgumentsFingerprint);
        Assert.Equal(trail.Last(r => r.EventType == "tool-call.allowed").ArgumentsFingerprint, refused.ArgumentsFingerprint);
    }

    [Fact]
    public async Task AResultOverTheLimit_IsNotPassedOn_ItsCallIsRecordedAsSuch_AndTheSessionGoesOn()
    {
        _relay.Upstream.OnCall = (request, _) => ValueTask.FromResult(new CallToolResult
        {
            Content = [new TextContentBlock { Text = request.Params!.Arguments!["text"].GetString() == "big" ? new string('x', 20_000) : "small" }],
        });
        await using var client = await _relay.ConnectAsync(await _relay.TokenAsync("crm__lookup"));

        var error = await Assert.ThrowsAsync<McpProtocolException>(async () =>
            await client.CallToolAsync("crm__lookup", new Dictionary<string, object?> { ["text"] = "big" }, cancellationToken: _cancel));
        var next = await client.CallToolAsync("crm__lookup", new Dictionary<string, object?> { ["text"] = "small" }, cancellationToken: _cancel);

        Assert.Contains("The result from crm was not passed on", error.Message, StringComparison.Ordinal);
        Assert.Contains("Shield:Relay:MaxResultBytes", error.Message, StringComparison.Ordinal);
        Assert.Equal("small", Assert.IsType<TextContentBlock>(next.Content[0]).Text);
        var outcome = (await _relay.TrailAsync()).First(r => r.EventType == "tool-call.upstream-error");
        Assert.Equal("error", outcome.Outcome);
        Assert.Contains("Shield:Relay:MaxResultBytes", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOverLongToolName_IsRefused_AndRecordedCut_WithoutFailingOtherRecords()
    {
        await using var client = await _relay.ConnectAsync(await _relay.TokenAsync("crm__lookup"));
        var name = "crm__" + new string('x', 5_000);

        var error = await Assert.ThrowsAsync<McpProtocolException>(async () => await client.CallToolAsync(name, cancellationToken: _cancel));
        var allowed = await client.CallToolAsync("crm__lookup", new Dictionary<string, object?> { ["text"] = "a" }, cancellationToken: _cancel);

        Assert.Contains("not in this session's tools", error.Message, StringComparison.Ordinal);
        Assert.Equal("called lookup", Assert.IsType<TextContentBlock>(allowed.Content[0]).Text);
        await using var db = await _relay.App.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<Shield.Core.Persistence.ShieldDbContext>>().CreateDbContextAsync(_cancel);
        var refused = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(db.AuditRecords, r => r.EventType == "tool-call.denied", _cancel);
        Assert.Equal(256, refused.Tool!.Length);
        Assert.True(refused.Reason!.Length <= 4000);
    }

    [Fact]
    public async Task WhenTheAuditTrailCannotBeWritten_CallsAreRefused_AndNeverReachTheUpstream()
    {
        var calls = 0;
        _relay.Upstream.OnCall = (_, _) =>
        {
            Interlocked.Increment(ref calls);
            return ValueTask.FromResult(new CallToolResult());
        };
        await using var client = await _relay.ConnectAsync(await _relay.TokenAsync("crm__lookup"));
        Assert.Single(await client.ListToolsAsync(cancellationToken: _cancel));

        McpProtocolException error;
        using (DatabaseOutage.Begin(_relay.App))
        {
            error = await Assert.ThrowsAsync<McpProtocolException>(async () =>
                await client.CallToolAsync("crm__lookup", new Dictionary<string, object?> { ["text"] = "a" }, cancellationToken: _cancel));
        }

        Assert.Contains("Shield cannot record the call, so it refuses it", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, Volatile.Read(ref calls));
    }
}

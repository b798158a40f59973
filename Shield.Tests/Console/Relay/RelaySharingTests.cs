// Sampling, roots and logging as the 2025-11-25 revision defines them, which the relay passes on.
#pragma warning disable MCP9005

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Shield.Console.Registry;
using Shield.Console.Relay;
using Shield.Core.Grants;
using Shield.Core.Registry;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Relay;

/// <summary>
/// To a server registered to share sessions, agent sessions whose clients declared no capabilities share one upstream
/// session; a client that declared one, or asked for something of its own, keeps its own. Progress on a shared session
/// reaches only its caller. Servers share nothing unless registered to, except an HTTP server of the stateless revision,
/// which has no session to keep apart.
/// </summary>
public sealed class RelaySharingTests
{
    private static readonly Dictionary<string, object?> Text = new() { ["text"] = "x" };
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    [Fact]
    public async Task AgentsWithoutCapabilities_ShareOneUpstreamSession_OneThatDeclaresACapability_GetsItsOwn()
    {
        await using var relay = await SharingAsync();
        var known = UpstreamSessions(relay).Count;
        await using var first = await relay.ConnectAsync(await relay.TokenAsync("crm__lookup"));
        await using var second = await relay.ConnectAsync(await relay.TokenAsync("crm__lookup"));

        await first.CallToolAsync("crm__lookup", Text, cancellationToken: _cancel);
        await second.CallToolAsync("crm__lookup", Text, cancellationToken: _cancel);
        var shared = UpstreamSessions(relay).Count - known;
        await using var sampler = await relay.ConnectAsync(await relay.TokenAsync("crm__lookup"), new McpClientOptions
        {
            Handlers = new McpClientHandlers { SamplingHandler = (_, _, _) => throw new InvalidOperationException("not asked") },
        });
        await sampler.CallToolAsync("crm__lookup", Text, cancellationToken: _cancel);

        Assert.Equal(1, shared);
        Assert.Equal(2, UpstreamSessions(relay).Count - known);
    }

    [Fact]
    public async Task ByDefault_EveryAgentSessionHasItsOwnUpstreamSession()
    {
        await using var relay = await RelayHarness.StartAsync(revision: UpstreamServer.SessionRevision);
        var known = UpstreamSessions(relay).Count;
        await using var first = await relay.ConnectAsync(await relay.TokenAsync("crm__lookup"));
        await using var second = await relay.ConnectAsync(await relay.TokenAsync("crm__lookup"));

        await first.CallToolAsync("crm__lookup", Text, cancellationToken: _cancel);
        await second.CallToolAsync("crm__lookup", Text, cancellationToken: _cancel);

        Assert.Equal(2, UpstreamSessions(relay).Count - known);
    }

    [Fact]
    public async Task AStatelessHttpServer_IsOneClientForAgentsWithoutCapabilities_WithoutBeingRegisteredToShare()
    {
        await using var relay = await RelayHarness.StartAsync(revision: "2026-07-28");
        var known = Discovers(relay);
        await using var first = await relay.ConnectAsync(await relay.TokenAsync("crm__lookup"));
        await using var stateless = await relay.ConnectAsync(await relay.TokenAsync("crm__lookup"), new() { ProtocolVersion = "2026-07-28" });

        await first.CallToolAsync("crm__lookup", Text, cancellationToken: _cancel);
        await stateless.CallToolAsync("crm__lookup", Text, cancellationToken: _cancel);
        await stateless.CallToolAsync("crm__lookup", Text, cancellationToken: _cancel);
        var shared = Discovers(relay) - known;
        await using var sampler = await relay.ConnectAsync(await relay.TokenAsync("crm__lookup"), new McpClientOptions
        {
            Handlers = new McpClientHandlers { SamplingHandler = (_, _, _) => throw new InvalidOperationException("not asked") },
        });
        await sampler.CallToolAsync("crm__lookup", Text, cancellationToken: _cancel);

        Assert.Equal(1, shared);
        Assert.Equal(2, Discovers(relay) - known);
    }

    [Fact]
    public async Task ASessionThatSetsALoggingLevel_GetsItsOwnUpstreamSession_FromThen()
    {
        await using var relay = await SharingAsync();
        await using var other = await relay.ConnectAsync(await relay.TokenAsync("crm__lookup"));
        await other.CallToolAsync("crm__lookup", Text, cancellationToken: _cancel);
        var known = UpstreamSessions(relay).Count;
        await using var logger = await relay.ConnectAsync(await relay.TokenAsync("crm__lookup"));

        await logger.CallToolAsync("crm__lookup", Text, cancellationToken: _cancel);
        var beforeLevel = UpstreamSessions(relay).Count - known;
        await logger.SetLoggingLevelAsync(LoggingLevel.Debug, cancellationToken: _cancel);
        await logger.CallToolAsync("crm__lookup", Text, cancellationToken: _cancel);

        Assert.Equal(0, beforeLevel);
        Assert.Equal(1, UpstreamSessions(relay).Count - known);
    }

    [Fact]
    public async Task OnASharedSession_ProgressReachesOnlyItsCaller_AndTheUpstreamSeesShieldsOwnTokens()
    {
        await using var relay = await SharingAsync();
        var tokens = new System.Collections.Concurrent.ConcurrentBag<string>();
        var bothStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = 0;
        var (aliceSaw, bobSaw) = (new ProgressSeen(), new ProgressSeen());
        var seen = new Dictionary<string, ProgressSeen> { ["alice"] = aliceSaw, ["bob"] = bobSaw };
        relay.Upstream.OnCall = async (request, cancellationToken) =>
        {
            var token = request.Params!.ProgressToken!.Value;
            tokens.Add(token.ToString() ?? "");
            // Both calls are in flight on the one shared session before either reports progress.
            if (Interlocked.Increment(ref started) == 2)
            {
                bothStarted.TrySetResult();
            }

            await bothStarted.Task.WaitAsync(cancellationToken);
            var text = request.Params.Arguments!["text"].GetString();
            await request.Server.NotifyProgressAsync(token, new ProgressNotificationValue { Progress = 1, Message = text }, cancellationToken: cancellationToken);
            // Answered once the caller has its progress: the SDK may otherwise handle a notification after the result.
            await seen[text!].First.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
            return new CallToolResult { Content = [new TextContentBlock { Text = text! }] };
        };
        await using var alice = await relay.ConnectAsync(await relay.TokenAsync("crm__lookup"));
        await using var bob = await relay.ConnectAsync(await relay.TokenAsync("crm__lookup"));

        // Both clients number their requests alike, so both send the same progress token.
        await Task.WhenAll(
            alice.CallToolAsync("crm__lookup", new Dictionary<string, object?> { ["text"] = "alice" }, aliceSaw, cancellationToken: _cancel).AsTask(),
            bob.CallToolAsync("crm__lookup", new Dictionary<string, object?> { ["text"] = "bob" }, bobSaw, cancellationToken: _cancel).AsTask());

        Assert.Equal(["alice"], aliceSaw.All);
        Assert.Equal(["bob"], bobSaw.All);
        Assert.Equal(2, tokens.Distinct().Count());
        Assert.All(tokens, t => Assert.StartsWith("shield-progress-", t, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AChangedRegistration_TakesEffectAtTheNextCall_AndTheOldSharedSessionClosesAfterItsGrace()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var relay = await SharingAsync(new ShieldAppFactory { TestServices = s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(time)) });
        await using var client = await relay.ConnectAsync(await relay.TokenAsync("crm__lookup"));
        await client.CallToolAsync("crm__lookup", Text, cancellationToken: _cancel);
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        relay.Upstream.SessionClosed += () => closed.TrySetResult();

        time.Advance(TimeSpan.FromSeconds(1)); // the change is stamped later than the registration
        var catalog = relay.App.Services.GetRequiredService<ServerCatalog>();
        Assert.NotNull((await catalog.UpdateAsync("crm",
            new ServerInput("crm", null, null, "tests", true, ServerTransport.Http, relay.Upstream.Url, null, null, [new SettingInput("X-Shield-Test", "second")], null, ShareSessions: true),
            Registrations.Admin, _cancel)).Value);
        await client.CallToolAsync("crm__lookup", Text, cancellationToken: _cancel);
        var call = relay.Upstream.Requests.Last(r => r.ContainsKey("Mcp-Session-Id"));
        var closedAtOnce = closed.Task.IsCompleted; // requests that took it just before the change may still be using it
        time.Advance(SharedUpstream.RetireGrace);

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(30), _cancel);
        Assert.False(closedAtOnce);
        Assert.Equal("second", call.GetValueOrDefault("X-Shield-Test"));
    }

    [Fact]
    public async Task AStdioServerThatSharesSessions_IsOneProcessForAgentsWithoutCapabilities()
    {
        await using var relay = await RelayHarness.StartAsync(register: async (app, _) =>
        {
            await RelayUpstreamFailureTests.RegisterFlakyAsync(app);
            await app.ShareSessionsAsync("flaky");
        });
        var key = await relay.AgentAsync("flaky-bot", ("flaky", Grant.AllTools, GrantEffect.Allow));
        await using var first = await relay.ConnectAsync((await relay.MintAsync(key: key)).GetProperty("token").GetString()!);
        await using var second = await relay.ConnectAsync((await relay.MintAsync(key: key)).GetProperty("token").GetString()!);

        var one = await first.CallToolAsync("flaky__echo", Text, cancellationToken: _cancel);
        var two = await second.CallToolAsync("flaky__echo", Text, cancellationToken: _cancel);

        Assert.Equal(Answer(one), Answer(two)); // "echo: x (pid N)": the same process answered both
    }

    // The relay with its "crm" server, speaking the revision of sessions, registered to share them.
    private static Task<RelayHarness> SharingAsync(ShieldAppFactory? app = null) => RelayHarness.StartAsync(app, async (app, upstream) =>
    {
        await RelayHarness.RegisterCrmAsync(app, upstream);
        await app.ShareSessionsAsync("crm");
    }, revision: UpstreamServer.SessionRevision);

    // The clients that connected to a server of the stateless revision: each asks server/discover once (discovery's included).
    private static int Discovers(RelayHarness relay) =>
        relay.Upstream.Requests.Count(r => r.GetValueOrDefault("Mcp-Method") == RequestMethods.ServerDiscover);

    // The upstream session ids the upstream has seen requests for (discovery's included).
    private static HashSet<string> UpstreamSessions(RelayHarness relay) =>
        [.. relay.Upstream.Requests.Select(r => r.GetValueOrDefault("Mcp-Session-Id")).OfType<string>()];

    private static string Answer(CallToolResult result) => Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;

    private sealed class ProgressSeen : IProgress<ProgressNotificationValue>
    {
        public TaskCompletionSource First { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public System.Collections.Concurrent.ConcurrentQueue<string> All { get; } = new();

        public void Report(ProgressNotificationValue value)
        {
            All.Enqueue(value.Message!);
            First.TrySetResult();
        }
    }
}

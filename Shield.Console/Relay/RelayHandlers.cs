// The relay speaks the 2025-11-25 revision to clients that initialize, so it passes on logging, sampling and roots,
// which the SDK marks obsolete for the revisions after it.
#pragma warning disable MCP9005

using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Shield.Console.Sessions;
using Shield.Core.Policy;
using Shield.Core.Registry;

namespace Shield.Console.Relay;

/// <summary>
/// What the relay answers on each MCP session, and how long the session runs: its callable tools, its calls
/// (<see cref="RelayCalls"/>), and the resources, prompts and completions of the servers it may use
/// (<see cref="RelayOffered"/>).
/// </summary>
public sealed class RelayHandlers(
    RelayCatalog catalog,
    PolicyStore policy,
    RelayCalls calls,
    RelayReads reads,
    RelayOffered offered,
    RelayDiscovery discovery,
    UpstreamLinks upstreams,
    IOptionsMonitor<RelayOptions> options,
    TimeProvider time,
    SessionIssuer sessions)
{
    // The longest a timer may wait (about 49 days); sessions never live that long (Shield:Sessions:MaxTtl).
    private static readonly TimeSpan MaxTimer = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    // The MCP sessions running now, each with what stops it, so that ending or revoking its Shield session closes it.
    private readonly ConcurrentDictionary<RelaySession, CancellationTokenSource> _running = StopOnEnd(sessions, upstreams);
    private const string SessionItem = "shield:relay-session";

    private static readonly Implementation Info = new()
    {
        Name = "shield",
        Title = "Shield MCP relay",
        Version = typeof(RelayHandlers).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "1.0.0",
    };

    /// <summary>Sets up one MCP session for the Shield session the initializing request authenticated with.</summary>
    public Task ConfigureAsync(HttpContext context, McpServerOptions server, CancellationToken cancellationToken)
    {
        var session = SessionTokenAuthentication.SessionOf(context) ?? throw new InvalidOperationException("The MCP endpoint requires a session token.");
        var relay = new RelaySession(session, options.CurrentValue.UnqualifiedNamesForSingleServer, Revisions.Stateless(context.Request.Headers["MCP-Protocol-Version"].ToString()));
        context.Items[SessionItem] = relay;
        server.ServerInfo = Info;
        server.Capabilities = new ServerCapabilities
        {
            Tools = new ToolsCapability { ListChanged = true },
            Resources = new ResourcesCapability { Subscribe = true, ListChanged = true },
            Prompts = new PromptsCapability { ListChanged = true },
            Logging = new LoggingCapability(),
            Completions = new CompletionsCapability(),
        };
        if (relay.Stateless)
        {
            // A 2025-11-25 session keeps what initialize told it for its whole life, and hears of changes; a stateless
            // client learns from server/discover what its session may use at that moment.
            discovery.Shape(server, relay);
        }

        var handlers = server.Handlers;
        handlers.ListToolsHandler = (request, ct) => ListToolsAsync(relay, ct);
        handlers.CallToolHandler = (request, ct) => calls.CallAsync(request, relay, ct);
        handlers.ListPromptsHandler = (request, ct) => offered.ListPromptsAsync(request, relay, ct);
        handlers.GetPromptHandler = async (request, ct) =>
        {
            var read = reads.PromptGet(relay, request.Params?.Name, request.Params?.Arguments);
            return await reads.RecordAsync(read, () => offered.GetPromptAsync(request, relay, read, ct), ct);
        };
        handlers.ListResourcesHandler = (request, ct) => offered.ListResourcesAsync(request, relay, ct);
        handlers.ListResourceTemplatesHandler = (request, ct) => offered.ListTemplatesAsync(request, relay, ct);
        handlers.ReadResourceHandler = async (request, ct) =>
        {
            var uri = request.Params!.Uri;
            var read = reads.ResourceRead(relay, uri);
            return await reads.RecordAsync(read, () => offered.ReadResourceAsync(request, relay, read, ct), ct);
        };
        handlers.SubscribeToResourcesHandler = async (request, ct) =>
        {
            // Updates of a subscription belong to this session alone: it gets upstream sessions of its own.
            relay.KeepOwnUpstreams();
            var (server, upstream) = await offered.OwnerAsync(request, relay, request.Params!.Uri, ct);
            Revisions.RequireUpstreamHas(upstream, server, RequestMethods.ResourcesSubscribe);
            await upstream.SubscribeToResourceAsync(request.Params.Uri, cancellationToken: ct);
            return new EmptyResult();
        };
        handlers.UnsubscribeFromResourcesHandler = async (request, ct) =>
        {
            var (server, upstream) = await offered.OwnerAsync(request, relay, request.Params!.Uri, ct);
            Revisions.RequireUpstreamHas(upstream, server, RequestMethods.ResourcesUnsubscribe);
            await upstream.UnsubscribeFromResourceAsync(request.Params.Uri, cancellationToken: ct);
            return new EmptyResult();
        };
        handlers.CompleteHandler = (request, ct) => offered.CompleteAsync(request, relay, ct);
        handlers.SetLoggingLevelHandler = async (request, ct) =>
        {
            relay.LoggingLevel = request.Params!.Level;
            // A server of a revision without logging/setLevel is left out, as one that does not log.
            foreach (var upstream in upstreams.OpenFor(relay).Where(Revisions.TakesLoggingLevel))
            {
                try
                {
                    await upstream.SetLoggingLevelAsync(request.Params.Level, cancellationToken: ct);
                }
                catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
                {
                    // One server refusing the level leaves the others set.
                }
            }

            return new EmptyResult();
        };
        return Task.CompletedTask;
    }

    /// <summary>Runs one MCP session until it ends or its Shield session expires, ends or is revoked, then closes its upstream sessions.</summary>
    public async Task RunAsync(HttpContext context, McpServer server, CancellationToken cancellationToken)
    {
        var relay = context.Items[SessionItem] as RelaySession;
        if (relay is not null)
        {
            relay.Server = server;
        }

        // An expired session can make no further request; its upstream sessions (stdio processes among them) go now.
        var remaining = relay is null ? TimeSpan.MaxValue : relay.Session.ExpiresAtUtc - time.GetUtcNow().UtcDateTime;
        using var stop = new CancellationTokenSource(remaining < TimeSpan.Zero ? TimeSpan.Zero : remaining > MaxTimer ? MaxTimer : remaining, time);
        using var running = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stop.Token);
        if (relay is not null)
        {
            _running[relay] = stop;
        }

        using var closing = running.Token.Register(() => relay?.Close());

        try
        {
            await server.RunAsync(running.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            if (relay is not null)
            {
                _running.TryRemove(relay, out _);
                await upstreams.EndAsync(relay);
            }
        }
    }

    private async ValueTask<ListToolsResult> ListToolsAsync(RelaySession relay, CancellationToken cancellationToken)
    {
        var entries = await catalog.CurrentAsync(cancellationToken);
        var snapshot = policy.Current;
        List<Tool> tools = [];
        foreach (var qualified in relay.Scope)
        {
            if (QualifiedToolName.TryParse(qualified, out var server, out var name) && entries.Tools.TryGetValue((server, name), out var tool) &&
                snapshot.Decide(relay.Session.AgentName, server, name).Kind != DecisionKind.Deny)
            {
                tools.Add(relay.SoleServer is null ? tool.Qualified : tool.Definition);
            }
        }

        tools.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return PrivateCache.Marked(new ListToolsResult { Tools = tools });
    }

    private static ConcurrentDictionary<RelaySession, CancellationTokenSource> StopOnEnd(SessionIssuer sessions, UpstreamLinks upstreams)
    {
        ConcurrentDictionary<RelaySession, CancellationTokenSource> running = new();
        sessions.Stopped += tokenHash =>
        {
            upstreams.SessionStopped(tokenHash);
            foreach (var (relay, stop) in running)
            {
                if (relay.Session.TokenSha256 == tokenHash)
                {
                    stop.Cancel();
                }
            }
        };
        return running;
    }
}

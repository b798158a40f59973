using System.Collections.Concurrent;
using ModelContextProtocol.Client;
using Shield.Core.Registry;

namespace Shield.Console.Relay;

// Back-off: a server that failed to connect, or stopped by itself, is not tried again until its back-off has passed.
public sealed partial class UpstreamLinks
{
    /// <summary>A call through the server succeeded: it is healthy again, and the next failure waits the shortest time.</summary>
    public void Succeeded(RelaySession relay, RegisteredServer server, McpClient client)
    {
        var failures = _owners.TryGetValue(client, out var shared) ? FailuresOf(null, shared, server)
            : server.Transport != ServerTransport.Stdio ? _failures
            : _own.TryGetValue(relay, out var own) ? own.Failures : null;
        failures?.TryRemove(server.Name, out _);
    }

    // An HTTP server, or a shared session, is every agent's; an agent's own stdio process is its own.
    // A stateless client's stdio process is its Shield session's own, and so are its failures.
    private ConcurrentDictionary<string, UpstreamBackoff> FailuresOf(RelaySession? relay, SharedUpstream? shared, RegisteredServer server) =>
        server.Transport != ServerTransport.Stdio ? _failures
        : relay is not null ? OwnOf(relay).Failures
        : shared?.Session is { } session ? (_sessionEnds.TryGetValue(session, out var end) ? end.Failures : new(StringComparer.Ordinal))
        : _failures;

    /// <summary>Records a failure in a row and when the server may be tried again; returns the reason.</summary>
    private string Failed(ConcurrentDictionary<string, UpstreamBackoff> failed, string server, string reason, Exception? exception)
    {
        var settings = options.CurrentValue;
        var failures = (failed.TryGetValue(server, out var previous) ? previous.Failures : 0) + 1;
        var delay = TimeSpan.FromTicks(Math.Min(settings.UpstreamMaxRetryDelay.Ticks, settings.UpstreamRetryDelay.Ticks << Math.Min(failures - 1, 20)));
        failed[server] = new UpstreamBackoff(failures, time.GetUtcNow() + delay, reason);
        LogFailed(server, reason, failures, exception);
        return reason;
    }

    // A server that stops by itself (a crashed stdio process, a dropped session) counts as a failure: one that keeps
    // crashing is restarted less and less often. Closing it when the agent's session ends is not a failure.
    private async Task WatchAsync(ConcurrentDictionary<string, UpstreamBackoff> failed, RegisteredServer server, McpClient client)
    {
        var completion = await client.Completion;
        // An upstream that ended the session (expired, restarted) is not failing: the next request opens a new one.
        if (completion.Exception is { } crash && !UpstreamErrors.SessionGone(completion))
        {
            Failed(failed, server.Name, $"it stopped: {errors.Describe(crash, server)}", crash);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The upstream server {Server} failed ({Failures} in a row): {Reason}")]
    private partial void LogFailed(string server, string reason, int failures, Exception? exception);
}

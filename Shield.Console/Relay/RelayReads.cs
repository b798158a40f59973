using System.Text.Json;
using ModelContextProtocol;
using Shield.Console.Auditing;
using Shield.Core.Auditing;
using Shield.Core.Policy;
using Shield.Core.Registry;
using Shield.Core.Redaction;
using Shield.Core.Text;

namespace Shield.Console.Relay;

/// <summary>
/// Records every resource read and prompt an agent gets through the relay, as it records tool calls: who, which
/// session, which server, what (the URI, or the prompt and its arguments, redacted), the outcome and how long it took.
/// The record is committed before the content reaches the agent: when the trail cannot take it, the agent gets an
/// error instead of the content (fail closed). Refusals are recorded too.
/// </summary>
public sealed partial class RelayReads(AuditWriter audit, RedactorStore redaction, UpstreamErrors errors, TimeProvider time, ILogger<RelayReads> logger)
{
    /// <summary>What is read: the audit record filled in as the request goes, and the server it went to.</summary>
    public sealed class Read(AuditRecord entry)
    {
        internal AuditRecord Entry { get; } = entry;

        internal RegisteredServer? Server { get; private set; }

        /// <summary>The server the request goes to, once Shield has decided it may.</summary>
        public void Forwarding(RegisteredServer server)
        {
            Server = server;
            Entry.Server = server.Name.Clip(ServerName.MaxLength);
            Entry.Decision = nameof(DecisionKind.Allow);
        }
    }

    public Read ResourceRead(RelaySession relay, string uri) =>
        new(Entry(relay, AuditEventTypes.ResourceRead, "resource", uri, null));

    public Read PromptGet(RelaySession relay, string? name, IDictionary<string, JsonElement>? arguments) =>
        new(Entry(relay, AuditEventTypes.PromptGet, "prompt", name ?? "", arguments is null ? null : JsonSerializer.SerializeToElement(arguments)));

    /// <summary>Runs the request and records how it ended; returns its result only once the record is committed.</summary>
    public async Task<T> RecordAsync<T>(Read read, Func<Task<T>> request, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var entry = read.Entry;
        T result;
        try
        {
            result = await request();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await AppendAsync(entry, "cancelled", "The agent cancelled the request.", started);
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException and not AuditUnavailableException && read.Server is { } server)
        {
            // The upstream's own words, cleaned like any upstream text: never a credential Shield sent it.
            var reason = errors.Clean(e.Message, server);
            await AppendAsync(entry, "error", reason, started);
            throw new McpProtocolException(reason, e is McpProtocolException protocol ? protocol.ErrorCode : McpErrorCode.InternalError);
        }
        catch (UpstreamUnavailableException e)
        {
            // Allowed, but the server cannot be reached: an outage, not a refusal. Its message is Shield's own, already clean.
            entry.Decision = nameof(DecisionKind.Allow);
            await AppendAsync(entry, "error", e.Message, started);
            throw new McpProtocolException(e.Message, McpErrorCode.InternalError);
        }
        catch (Exception e) when (e is not OutOfMemoryException and not AuditUnavailableException)
        {
            if (e is not McpException)
            {
                // A refusal is expected; anything else is Shield's own failure, logged once here.
                LogReadFailed(e, entry.EventType);
            }

            entry.Decision = nameof(DecisionKind.Deny);
            await AppendAsync(entry, "refused", e.Message, started);
            throw;
        }

        await AppendAsync(entry, "ok", null, started);
        return result;
    }

    private async Task AppendAsync(AuditRecord entry, string outcome, string? reason, long started)
    {
        entry.Outcome = outcome;
        entry.Reason = reason is null ? null : redaction.Current.RedactText(reason).Clip(4000);
        entry.DurationMicroseconds = (long)time.GetElapsedTime(started).TotalMicroseconds;
        entry.AtUtc = time.GetUtcNow().UtcDateTime;
        try
        {
            // Not the caller's token: the record of what was read is written even if the agent stops waiting.
            await audit.AppendAsync(entry, CancellationToken.None);
        }
        catch (AuditUnavailableException e)
        {
            throw new McpProtocolException($"Shield cannot record the request, so it refuses it: {e.Message}", McpErrorCode.InternalError);
        }
    }

    private AuditRecord Entry(RelaySession relay, string eventType, string subject, string key, JsonElement? arguments)
    {
        var entry = relay.Record();
        entry.EventType = eventType;
        entry.Subject = subject;
        // A URI can carry a secret in its query: it is kept as the trail keeps any text, redacted.
        entry.SubjectKey = redaction.Current.RedactText(key).Clip(256);
        entry.RedactedArguments = redaction.Current.Redact(arguments);
        return entry;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A {Request} request failed inside Shield; it was refused")]
    private partial void LogReadFailed(Exception error, string request);
}

using System.Diagnostics;
using System.Threading.Channels;
using Shield.Core.Auditing;

namespace Shield.Console.Auditing;

/// <summary>
/// Records refusals and failures that happen outside tool calls (<see cref="AuditEventTypes.Security"/>): a failed
/// sign-in, a lockout, a refused session request, a failed discovery. Nothing went ahead, so there is nothing for a
/// record to hold back: the record is handed to the writer without waiting for its commit, and the answer is the same
/// whether the trail can be written or not. A failed sign-in so never tells anyone that the trail is down, and an
/// outage never refuses a person for a reason of its own.
/// </summary>
public sealed class SecurityEvents(AuditWriter writer, TimeProvider time)
{
    /// <summary>Stamps the record with the time and the current trace, and hands it to the writer.</summary>
    public async Task RecordAsync(AuditRecord record)
    {
        record.AtUtc = time.GetUtcNow().UtcDateTime;
        if (Activity.Current is { } activity)
        {
            record.TraceId ??= activity.TraceId.ToHexString();
            record.SpanId ??= activity.SpanId.ToHexString();
        }

        try
        {
            // Not the caller's token: a client that hangs up does not take its record with it.
            await writer.EnqueueAsync(record, CancellationToken.None);
        }
        catch (ChannelClosedException)
        {
            // Shield is stopping: the refusal stands, unrecorded.
        }
    }
}

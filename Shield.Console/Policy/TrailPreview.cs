using Microsoft.EntityFrameworkCore;
using Shield.Core.Auditing;
using Shield.Core.Governance;
using Shield.Core.Grants;
using Shield.Core.Persistence;
using Shield.Core.Policy;

namespace Shield.Console.Policy;

/// <summary>
/// The preview against history of a change to the grants: the policy as it is and as it would be, over the tool calls
/// the trail recorded in the last days (<see cref="HistoryPreviewer"/>). The trail is read in pages, newest first, and
/// at most <see cref="MaxCalls"/> calls are examined, so memory stays bounded whatever the trail holds. It writes nothing.
/// </summary>
public sealed class TrailPreview(IDbContextFactory<ShieldDbContext> contexts, PolicyStore policy, TimeProvider time)
{
    public const int DefaultDays = 7;
    public const int MaxDays = 90;

    /// <summary>The most calls one preview examines (the most recent); the result says when there were more.</summary>
    public const int MaxCalls = 20_000;

    private const int PageSize = 500;

    // Each call's decision is in exactly one of these: allowed, refused, or held for a person.
    private static readonly string[] Decided = [AuditEventTypes.CallAllowed, AuditEventTypes.CallDenied, AuditEventTypes.CallApprovalRequired];

    /// <summary>What is wrong with a number of days to preview, or null.</summary>
    public static string? DaysProblem(int days) =>
        days is < 1 or > MaxDays ? $"days is {days}: preview from 1 to {MaxDays} days of the trail (the default is {DefaultDays})." : null;

    /// <param name="change">The grants as they would be, given the grants as they are.</param>
    public async Task<HistoryPreview> PreviewAsync(Func<IReadOnlyList<Grant>, IReadOnlyList<Grant>> change, int days, CancellationToken cancellationToken = default)
    {
        if (DaysProblem(days) is { } problem)
        {
            throw new ArgumentOutOfRangeException(nameof(days), problem);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var grants = await db.Grants.AsNoTracking().ToListAsync(cancellationToken);
        var now = policy.Current;
        var before = new PolicySnapshot(now.Tools, now.Agents, grants, now.Threshold);
        var after = new PolicySnapshot(now.Tools, now.Agents, change(grants), now.Threshold);
        var since = time.GetUtcNow().UtcDateTime.AddDays(-days);
        var preview = new HistoryPreviewer(before, after, since, MaxCalls);
        long? below = null;
        while (true)
        {
            // Newest first, a page at a time, resumed below the last sequence read (the time index bounds the window).
            var query = db.AuditRecords.AsNoTracking()
                .Where(r => r.AtUtc >= since && Decided.Contains(r.EventType) && r.ActorKind == Actor.Agent && r.Server != null && r.Tool != null);
            if (below is { } sequence)
            {
                query = query.Where(r => r.Sequence < sequence);
            }

            var page = await query.OrderByDescending(r => r.Sequence).Take(PageSize)
                .Select(r => new RecordedCall(r.Sequence, r.AtUtc, r.ActorName, r.Server!, r.Tool!, r.Task, r.RedactedArguments))
                .ToListAsync(cancellationToken);
            foreach (var call in page)
            {
                if (preview.IsFull)
                {
                    return preview.Result(capped: true);
                }

                preview.Add(call);
            }

            if (page.Count < PageSize)
            {
                return preview.Result(capped: false);
            }

            below = page[^1].Sequence;
        }
    }
}

using System.Text.Json;

namespace Shield.Core.Policy;

/// <summary>A tool call as the trail recorded its decision: what a preview decides again.</summary>
/// <param name="RedactedArguments">The arguments as the trail keeps them, masked (JSON), or null for a call without any.</param>
public sealed record RecordedCall(long Sequence, DateTime AtUtc, string Agent, string Server, string Tool, string? Task, string? RedactedArguments);

/// <summary>Calls of one agent to one tool whose decision a policy change turns from <see cref="From"/> to <see cref="To"/>.</summary>
public sealed record DecisionChange(string Agent, string Server, string Tool, DecisionKind From, DecisionKind To, int Calls, DateTime LastAtUtc);

/// <summary>How many calls, of any agent and tool, a policy change turns from <see cref="From"/> to <see cref="To"/>.</summary>
public sealed record DecisionShift(DecisionKind From, DecisionKind To, int Calls);

/// <summary>Calls of one agent to one tool that could not be decided again from what the trail holds, and why.</summary>
/// <param name="Sequences">The trail records of the first few of them.</param>
public sealed record CallsNotEvaluated(string Agent, string Server, string Tool, string Why, int Calls, IReadOnlyList<long> Sequences);

/// <summary>
/// How a changed policy would have decided the calls recorded in the trail since <see cref="SinceUtc"/>: the calls
/// whose decision changes, by agent, tool and change, and the calls that could not be evaluated. At most
/// <see cref="Cap"/> calls are examined, the most recent first; <see cref="Capped"/> says there were more.
/// </summary>
public sealed record HistoryPreview(
    DateTime SinceUtc, int Examined, int Cap, bool Capped, int Changed, IReadOnlyList<DecisionChange> Changes, int NotEvaluated, IReadOnlyList<CallsNotEvaluated> NotEvaluatedCalls)
{
    /// <summary>The changes summed by kind (allow to deny, deny to allow, …), the most calls first.</summary>
    public IReadOnlyList<DecisionShift> ByKind =>
        [.. Changes.GroupBy(c => (c.From, c.To)).Select(g => new DecisionShift(g.Key.From, g.Key.To, g.Sum(c => c.Calls))).OrderByDescending(c => c.Calls)];
}

/// <summary>
/// The preview against history, a pure function of the policy before and after a change and the recorded calls: each
/// call is decided by both, as the trail recorded it (its agent, tool, session task and redacted arguments; the agent's
/// roles, the tools and their risk as they are now). A call a condition cannot be evaluated on from what the trail holds
/// is counted as not evaluated, never guessed (<see cref="PolicySnapshot.NotRecorded"/>). Calls come in one at a
/// time (<see cref="Add"/>), so a caller can stream them from the trail in pages and stop at <see cref="IsFull"/>.
/// </summary>
public sealed class HistoryPreviewer(PolicySnapshot before, PolicySnapshot after, DateTime sinceUtc, int cap)
{
    private const int SequencesKept = 5;

    private readonly Dictionary<(string Agent, string Server, string Tool, DecisionKind From, DecisionKind To), (int Calls, DateTime Last)> _changes = [];
    private readonly Dictionary<(string Agent, string Server, string Tool, string Why), List<long>> _unevaluated = [];
    private readonly Dictionary<(string Agent, string Server, string Tool, string Why), int> _unevaluatedCounts = [];
    private int _examined;

    public bool IsFull => _examined >= cap;

    public static HistoryPreview Of(PolicySnapshot before, PolicySnapshot after, IEnumerable<RecordedCall> calls, DateTime sinceUtc, int cap)
    {
        var preview = new HistoryPreviewer(before, after, sinceUtc, cap);
        var capped = false;
        foreach (var call in calls)
        {
            if (preview.IsFull)
            {
                capped = true;
                break;
            }

            preview.Add(call);
        }

        return preview.Result(capped);
    }

    public void Add(RecordedCall call)
    {
        _examined++;
        JsonDocument? arguments = null;
        try
        {
            if (call.RedactedArguments is { } text)
            {
                try
                {
                    arguments = JsonDocument.Parse(text);
                }
                catch (JsonException)
                {
                    NotEvaluated(call, "the trail's copy of its arguments is not JSON");
                    return;
                }
            }

            var recorded = new PolicyCall(arguments?.RootElement, call.Task ?? "", NowUtc: call.AtUtc);
            if ((before.NotRecorded(call.Agent, call.Server, call.Tool, recorded) ?? after.NotRecorded(call.Agent, call.Server, call.Tool, recorded)) is { } why)
            {
                NotEvaluated(call, why);
                return;
            }

            var was = before.Decide(call.Agent, call.Server, call.Tool, recorded).Kind;
            var would = after.Decide(call.Agent, call.Server, call.Tool, recorded).Kind;
            if (was != would)
            {
                var key = (call.Agent, call.Server, call.Tool, was, would);
                var (calls, last) = _changes.GetValueOrDefault(key);
                _changes[key] = (calls + 1, call.AtUtc > last ? call.AtUtc : last);
            }
        }
        finally
        {
            arguments?.Dispose();
        }
    }

    /// <param name="capped">Whether calls in the window were left unexamined for the cap.</param>
    public HistoryPreview Result(bool capped) => new(
        sinceUtc,
        _examined,
        cap,
        capped,
        _changes.Values.Sum(c => c.Calls),
        [.. _changes.Select(c => new DecisionChange(c.Key.Agent, c.Key.Server, c.Key.Tool, c.Key.From, c.Key.To, c.Value.Calls, c.Value.Last))
            .OrderByDescending(c => c.Calls).ThenBy(c => c.Agent, StringComparer.Ordinal).ThenBy(c => c.Tool, StringComparer.Ordinal)],
        _unevaluatedCounts.Values.Sum(),
        [.. _unevaluated.Select(u => new CallsNotEvaluated(u.Key.Agent, u.Key.Server, u.Key.Tool, u.Key.Why, _unevaluatedCounts[u.Key], u.Value))
            .OrderByDescending(u => u.Calls).ThenBy(u => u.Agent, StringComparer.Ordinal)]);

    private void NotEvaluated(RecordedCall call, string why)
    {
        var key = (call.Agent, call.Server, call.Tool, why);
        _unevaluatedCounts[key] = _unevaluatedCounts.GetValueOrDefault(key) + 1;
        if (!_unevaluated.TryGetValue(key, out var sequences))
        {
            _unevaluated[key] = sequences = [];
        }

        if (sequences.Count < SequencesKept)
        {
            sequences.Add(call.Sequence);
        }
    }
}

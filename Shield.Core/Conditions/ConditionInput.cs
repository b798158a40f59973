using System.Text.Json;

namespace Shield.Core.Conditions;

/// <summary>What a condition can read about one call: <c>args</c>, <c>agent</c>, <c>tool</c>, <c>session</c> and <c>now</c>.</summary>
/// <param name="Arguments">The arguments the relay forwards (an object), or null for none (read as <c>{}</c>).</param>
/// <param name="Risk">The tool's risk as written in documents: <c>low</c>, <c>medium</c>, <c>high</c>, <c>critical</c>.</param>
/// <param name="Task">The session's declared task; empty outside a session.</param>
/// <param name="SessionTools">The tools the session was minted for; empty outside a session.</param>
/// <param name="SessionAgeSeconds">Seconds since the session was minted.</param>
/// <param name="NowUtc">When the call is decided (for a call in the trail, when it was).</param>
public readonly record struct ConditionInput(
    JsonElement? Arguments,
    string AgentName,
    IReadOnlyList<string> AgentRoles,
    string Server,
    string Tool,
    string Risk,
    string Task,
    IReadOnlyList<string> SessionTools,
    double SessionAgeSeconds,
    DateTime NowUtc);

/// <summary>Evaluates a compiled condition, or a part of one, for one call.</summary>
public delegate ConditionValue Evaluate(in ConditionInput input);

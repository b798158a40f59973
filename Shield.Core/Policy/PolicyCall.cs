using System.Text.Json;
using Shield.Core.Conditions;
using Shield.Core.Registry;

namespace Shield.Core.Policy;

/// <summary>One call as a grant's condition sees it: the arguments forwarded, and the session it comes in.</summary>
/// <param name="Arguments">The arguments (an object), or null when the call has none.</param>
/// <param name="Task">The session's declared task.</param>
/// <param name="SessionTools">The tools the session was minted for.</param>
/// <param name="SessionAge">How long ago the session was minted.</param>
/// <param name="NowUtc">When the call is decided (<c>now</c>); a call recorded in the trail is decided as of when it was made.</param>
public readonly record struct PolicyCall(JsonElement? Arguments, string Task = "", IReadOnlyList<string>? SessionTools = null, TimeSpan SessionAge = default, DateTime NowUtc = default)
{
    private static readonly string[] RiskNames = [.. Enum.GetValues<RiskLevel>().Select(r => r.ToString().ToLowerInvariant())];

    internal ConditionInput Input(PolicyAgent agent, PolicyTool tool) =>
        new(Arguments, agent.Name, agent.Roles, tool.Server, tool.Name, RiskNames[(int)tool.Risk], Task, SessionTools ?? [], SessionAge.TotalSeconds, NowUtc);
}

using BenchmarkDotNet.Attributes;
using Shield.Core.Grants;
using Shield.Core.Policy;
using Shield.Core.Registry;

namespace Shield.Benchmarks;

/// <summary>
/// One policy decision against an inventory of 10,000 tools and 10,000 grants, for an agent with three roles.
/// Target: under 1 µs, no allocation. With <see cref="LogOnlyElsewhere"/>, log-only grants target other agents' tools:
/// a call they do not target is decided once, as without them.
/// Run: dotnet run -c Release --project bench/Shield.Benchmarks -- --filter '*PolicyBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class PolicyBenchmarks
{
    private PolicySnapshot _snapshot = PolicySnapshot.Empty;

    [Params(10, 10_000)]
    public int Grants { get; set; }

    [Params(false, true)]
    public bool LogOnlyElsewhere { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var tools = Enumerable.Range(0, 10_000).Select(i => new PolicyTool($"server-{i % 100}", $"tool_{i}", ToolState.Approved, true, (RiskLevel)(i % 3)));
        var agents = Enumerable.Range(0, 1_000).Select(i => new PolicyAgent($"agent-{i}", true, [$"role-{i % 50}", $"role-{(i + 1) % 50}", $"role-{(i + 2) % 50}"]));
        var grants = Enumerable.Range(0, Grants).Select(i => new Grant
        {
            SubjectKind = i % 2 == 0 ? SubjectKind.Agent : SubjectKind.Role,
            Subject = i % 2 == 0 ? $"agent-{i % 1_000}" : $"role-{i % 50}",
            Server = $"server-{i % 100}",
            Tool = i % 7 == 0 ? Grant.AllTools : $"tool_{i % 10_000}",
            Effect = (GrantEffect)(i % 3),
        });
        var logOnly = Enumerable.Range(0, LogOnlyElsewhere ? 100 : 0).Select(i => new Grant
        {
            SubjectKind = SubjectKind.Agent, Subject = $"agent-{500 + i}", Server = $"server-{i}", Tool = Grant.AllTools, Effect = GrantEffect.Deny, Mode = GrantMode.LogOnly,
        });
        _snapshot = new PolicySnapshot(tools, agents, grants.Concat(logOnly), RiskLevel.High);
    }

    [Benchmark(Description = "decide: agent with 3 roles, one tool")]
    public DecisionKind Decide() => _snapshot.Decide("agent-42", "server-42", "tool_4242").Kind;

    [Benchmark(Description = "decide a call: agent with 3 roles, one tool, no arguments")]
    public DecisionKind DecideCall() => _snapshot.Decide("agent-42", "server-42", "tool_4242", new PolicyCall(null)).Kind;
}

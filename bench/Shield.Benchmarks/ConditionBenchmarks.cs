using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Shield.Core.Grants;
using Shield.Core.Policy;
using Shield.Core.Registry;

namespace Shield.Benchmarks;

/// <summary>
/// One decision on a call of about 1 KB of arguments, to which three grants with conditions apply (the agent's, and
/// two of its roles'), in the same inventory as <see cref="PolicyBenchmarks"/>.
/// Target: under 5 µs.
/// Run: dotnet run -c Release --project bench/Shield.Benchmarks -- --filter '*ConditionBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class ConditionBenchmarks
{
    private PolicySnapshot _snapshot = PolicySnapshot.Empty;
    private PolicyCall _call;

    [GlobalSetup]
    public void Setup()
    {
        var tools = Enumerable.Range(0, 10_000).Select(i => new PolicyTool($"server-{i % 100}", $"tool_{i}", ToolState.Approved, true, RiskLevel.Low));
        var agents = Enumerable.Range(0, 1_000).Select(i => new PolicyAgent($"agent-{i}", true, [$"role-{i % 50}", $"role-{(i + 1) % 50}", $"role-{(i + 2) % 50}"]));
        Grant[] conditional =
        [
            new() { SubjectKind = SubjectKind.Agent, Subject = "agent-42", Server = "payments", Tool = "refund", Effect = GrantEffect.Allow, When = "args.amount <= 500 && args.currency in ['EUR', 'USD']" },
            new() { SubjectKind = SubjectKind.Role, Subject = "role-42", Server = "payments", Tool = Grant.AllTools, Effect = GrantEffect.Deny, When = "args.customer.country == 'XX' || args.note.contains('override')" },
            new() { SubjectKind = SubjectKind.Role, Subject = "role-43", Server = "payments", Tool = "refund", Effect = GrantEffect.Approve, When = "args.amount > 10000" },
        ];
        _snapshot = new PolicySnapshot(tools.Append(new PolicyTool("payments", "refund", ToolState.Approved, true, RiskLevel.Low)), agents, conditional, RiskLevel.High);
        var arguments = new StringBuilder("""{"amount": 120.5, "currency": "EUR", "customer": {"id": "c-1029", "country": "PT", "name": "Ana Silva"}, "note": "refund for order 1029", "lines": [""");
        for (var i = 0; arguments.Length < 1_000; i++)
        {
            arguments.Append(i == 0 ? "" : ",").Append($$"""{"sku": "SKU-{{i:D5}}", "quantity": {{i % 4 + 1}}, "price": {{i * 3.25:F2}}}""");
        }

        _call = new PolicyCall(JsonDocument.Parse(arguments.Append("]}").ToString()).RootElement, "Refund order 1029", ["payments__refund"], TimeSpan.FromMinutes(3));
        if (_snapshot.Decide("agent-42", "payments", "refund", _call).Kind != DecisionKind.Allow)
        {
            throw new InvalidOperationException("The benchmark's call should be allowed.");
        }
    }

    [Benchmark(Description = "decide: 3 conditions, 1 KB of arguments")]
    public DecisionKind Decide() => _snapshot.Decide("agent-42", "payments", "refund", _call).Kind;
}

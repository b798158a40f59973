using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Shield.Core.Registry;

namespace Shield.Benchmarks;

/// <summary>
/// The in-memory part of a discovery of 1,000 tools: screening, fingerprinting and reconciling against the inventory.
/// Run: dotnet run -c Release --project bench/Shield.Benchmarks -- --filter '*ReconcileBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class ReconcileBenchmarks
{
    private static readonly DateTime Now = new(2026, 11, 23, 0, 0, 0, DateTimeKind.Utc);
    private List<ToolDefinition> _listed = [];
    private List<ToolDefinition> _changedTenth = [];

    [Params(1_000)]
    public int Tools { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _listed = [.. Enumerable.Range(0, Tools).Select(i => Definition(i, "v1"))];
        _changedTenth = [.. Enumerable.Range(0, Tools).Select(i => Definition(i, i % 10 == 0 ? "v2" : "v1"))];
    }

    [Benchmark(Description = "first discovery: screen, fingerprint, add 1,000 tools")]
    public InventoryChanges FirstDiscovery()
    {
        var (accepted, _) = ToolScreening.Screen(Fresh(_listed), new ToolLimits());
        return InventoryReconciler.Reconcile(new RegisteredServer { Name = "bench" }, accepted, Now);
    }

    [Benchmark(Description = "rediscovery: 1,000 tools, a tenth changed")]
    public InventoryChanges Rediscovery()
    {
        var server = new RegisteredServer { Name = "bench" };
        server.Tools.AddRange(InventoryReconciler.Reconcile(server, _listed, Now).NewTools);
        var (accepted, _) = ToolScreening.Screen(Fresh(_changedTenth), new ToolLimits());
        return InventoryReconciler.Reconcile(server, accepted, Now.AddMinutes(15));
    }

    // Each discovery parses fresh definitions, so fingerprints are computed every time, as in production.
    private static List<ToolDefinition> Fresh(List<ToolDefinition> tools) =>
        [.. tools.Select(t => new ToolDefinition(t.Name, t.Title, t.Description, t.InputSchema, t.OutputSchema, t.Annotations))];

    private static ToolDefinition Definition(int i, string version) => new(
        $"tool_{i:0000}", $"Tool {i}", $"Does thing number {i} ({version}). " + new string('x', 200),
        JsonDocument.Parse($$$"""{"type":"object","properties":{"id":{"type":"string","description":"Record {{{i}}}"},"count":{"type":"integer","minimum":0}},"required":["id"]}""").RootElement,
        null,
        JsonDocument.Parse("""{"readOnlyHint":true,"openWorldHint":false}""").RootElement);
}

using System.Collections.Frozen;
using Microsoft.EntityFrameworkCore;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using Shield.Console.Registry;
using Shield.Core.Persistence;
using Shield.Core.Policy;
using Shield.Core.Registry;

namespace Shield.Console.Relay;

/// <summary>
/// What the relay offers: every callable tool with the definition an administrator approved (its pinned description
/// and schemas, verbatim), and the servers they come from with Shield's credentials for them. Rebuilt from the
/// database after every policy change, so a tool that stops being callable is gone from the next tools/list. Each tool
/// is built on its own: one whose definition does not fit MCP's model (<see cref="ToolModel"/>) is left out, with the
/// reason its calls are refused with, and never takes the others with it.
/// </summary>
public sealed partial class RelayCatalog
{
    private readonly IDbContextFactory<ShieldDbContext> _contexts;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile Entries? _entries;
    private volatile PolicySnapshot? _builtFor;
    private readonly PolicyStore _policy;
    private readonly ILogger<RelayCatalog> _logger;

    public RelayCatalog(IDbContextFactory<ShieldDbContext> contexts, PolicyStore policy, ILogger<RelayCatalog> logger)
    {
        _contexts = contexts;
        _policy = policy;
        _logger = logger;
        policy.Replaced += _ => _builtFor = null;
    }

    /// <summary>The catalog as of the current policy snapshot.</summary>
    public async ValueTask<Entries> CurrentAsync(CancellationToken cancellationToken)
    {
        var snapshot = _policy.Current;
        if (_entries is { } entries && ReferenceEquals(_builtFor, snapshot))
        {
            return entries;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            snapshot = _policy.Current;
            if (_entries is { } fresh && ReferenceEquals(_builtFor, snapshot))
            {
                return fresh;
            }

            var (servers, tools) = await LoadAsync(cancellationToken);
            Dictionary<(string, string), RelayTool> servable = [];
            Dictionary<(string, string), string> unservable = [];
            foreach (var (server, tool) in tools)
            {
                if (ToolModel.From(tool, out var problem) is { } definition)
                {
                    servable[(server, tool.Name)] = new RelayTool(server, tool.Name, tool.Risk, definition);
                }
                else
                {
                    unservable[(server, tool.Name)] = problem!;
                    LogUnservable(server, tool.Name, problem!);
                }
            }

            var built = new Entries(servable.ToFrozenDictionary(), servers.ToFrozenDictionary(s => s.Name, StringComparer.Ordinal), unservable.ToFrozenDictionary());
            _entries = built;
            _builtFor = snapshot;
            return built;
        }
        finally
        {
            _gate.Release();
        }
    }

    // Without its catalog the relay can offer nothing: the agent is told why, in words, and nothing gets through.
    private async Task<(List<RegisteredServer> Servers, List<(string Server, RegisteredTool Tool)> Tools)> LoadAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var db = await _contexts.CreateDbContextAsync(cancellationToken);
            var servers = await db.Servers.AsNoTracking().Where(s => s.Enabled).ToListAsync(cancellationToken);
            var tools = await db.Tools.AsNoTracking()
                .Where(t => t.State == ToolState.Approved && t.Fingerprint == t.ApprovedFingerprint && t.Server!.Enabled)
                .Select(t => new { Server = t.Server!.Name, Tool = t })
                .ToListAsync(cancellationToken);
            return (servers, [.. tools.Select(t => (t.Server, t.Tool))]);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or Microsoft.EntityFrameworkCore.Storage.RetryLimitExceededException)
        {
            throw new McpProtocolException("Shield cannot load its catalog of tools right now (its database is unavailable), so it refuses the request. Try again shortly.",
                McpErrorCode.InternalError);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The approved tool {Server}/{Tool} is left out of the relay: {Problem}. Review it in the console.")]
    private partial void LogUnservable(string server, string tool, string problem);

    /// <summary>
    /// The callable tools by (server, tool), the enabled servers by name, and the approved tools Shield cannot serve,
    /// with why.
    /// </summary>
    public sealed record Entries(
        FrozenDictionary<(string Server, string Tool), RelayTool> Tools,
        FrozenDictionary<string, RegisteredServer> Servers,
        FrozenDictionary<(string Server, string Tool), string> Unservable);
}

/// <summary>A callable tool as the relay lists it and checks calls against it.</summary>
public sealed class RelayTool(string server, string name, RiskLevel risk, Tool definition)
{
    private ArgumentsSchema? _schema;
    private Tool? _qualified;

    public string Server { get; } = server;

    public string Name { get; } = name;

    public string QualifiedName { get; } = QualifiedToolName.Of(server, name);

    public RiskLevel Risk { get; } = risk;

    /// <summary>The approved definition, as the upstream described it.</summary>
    public Tool Definition { get; } = definition;

    /// <summary>The compiled input schema, built on first use.</summary>
    public ArgumentsSchema Schema => _schema ??= ArgumentsSchema.Compile(Definition.InputSchema);

    /// <summary>The definition as listed under its qualified name.</summary>
    public Tool Qualified => _qualified ??= new()
    {
        Name = QualifiedName,
        Title = Definition.Title,
        Description = Definition.Description,
        InputSchema = Definition.InputSchema,
        OutputSchema = Definition.OutputSchema,
        Annotations = Definition.Annotations,
    };
}

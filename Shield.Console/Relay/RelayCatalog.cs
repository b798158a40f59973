using System.Collections.Frozen;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using Shield.Console.Sessions;
using Shield.Core.Persistence;
using Shield.Core.Policy;
using Shield.Core.Registry;

namespace Shield.Console.Relay;

/// <summary>
/// What the relay offers: every callable tool with the definition an administrator approved (its pinned description
/// and schemas, verbatim), and the servers they come from with Shield's credentials for them. Rebuilt from the
/// database after every policy change, so a tool that stops being callable is gone from the next tools/list.
/// </summary>
public sealed class RelayCatalog
{
    private readonly IDbContextFactory<ShieldDbContext> _contexts;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile Entries? _entries;
    private volatile PolicySnapshot? _builtFor;
    private readonly PolicyStore _policy;

    public RelayCatalog(IDbContextFactory<ShieldDbContext> contexts, PolicyStore policy)
    {
        _contexts = contexts;
        _policy = policy;
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
            var built = new Entries(
                tools.Select(t => new RelayTool(t.Server, t.Name, t.Risk, new Tool
                {
                    Name = t.Name,
                    Title = t.Title,
                    Description = t.Description,
                    InputSchema = Parse(t.InputSchema) ?? EmptyObject,
                    OutputSchema = Parse(t.OutputSchema),
                    Annotations = t.Annotations is null ? null : JsonSerializer.Deserialize<ToolAnnotations>(t.Annotations, ModelContextProtocol.McpJsonUtilities.DefaultOptions),
                })).ToFrozenDictionary(t => (t.Server, t.Name)),
                servers.ToFrozenDictionary(s => s.Name, StringComparer.Ordinal));
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
    private async Task<(List<RegisteredServer> Servers, List<ToolRow> Tools)> LoadAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var db = await _contexts.CreateDbContextAsync(cancellationToken);
            var servers = await db.Servers.AsNoTracking().Where(s => s.Enabled).ToListAsync(cancellationToken);
            var tools = await db.Tools.AsNoTracking()
                .Where(t => t.State == ToolState.Approved && t.Fingerprint == t.ApprovedFingerprint && t.Server!.Enabled)
                .Select(t => new ToolRow(t.Server!.Name, t.Name, t.Title, t.Description, t.InputSchema, t.OutputSchema, t.Annotations, t.Risk))
                .ToListAsync(cancellationToken);
            return (servers, tools);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or Microsoft.EntityFrameworkCore.Storage.RetryLimitExceededException)
        {
            throw new McpProtocolException("Shield cannot load its catalog of tools right now (its database is unavailable), so it refuses the request. Try again shortly.",
                McpErrorCode.InternalError);
        }
    }

    private sealed record ToolRow(string Server, string Name, string? Title, string? Description, string InputSchema, string? OutputSchema, string? Annotations, RiskLevel Risk);

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{\"type\":\"object\"}").RootElement.Clone();

    private static JsonElement? Parse(string? json) => json is null ? null : JsonDocument.Parse(json).RootElement.Clone();

    /// <summary>The callable tools by (server, tool), and the enabled servers by name.</summary>
    public sealed record Entries(FrozenDictionary<(string Server, string Tool), RelayTool> Tools, FrozenDictionary<string, RegisteredServer> Servers);
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

using Shield.Console.Accounts;
using Shield.Console.Agents;
using Shield.Console.Common;
using Shield.Console.Grants;
using Shield.Console.Registry;
using Shield.Core.Governance;
using Shield.Core.Grants;
using Shield.Core.Registry;

namespace Shield.Console.Demo;

/// <summary>
/// At each start in demo mode: the demo server registered (at the address its in-process server has this time) with its
/// tools approved at sensible risks, two agents with grants and fresh keys, and the three demo accounts with fresh
/// passwords, all printed. Everything is done through the same services as the console, so it is all audited.
/// </summary>
internal sealed partial class DemoSeeder(
    IServiceScopeFactory scopes,
    DemoUpstream upstream,
    DemoCredentials credentials,
    ILogger<DemoSeeder> logger) : IHostedService
{
    public const string Server = "demo";

    private static readonly Actor Demo = Actor.Shield("demo");

    private static readonly (string Tool, RiskLevel Risk)[] Risks =
    [
        ("lookup_customer", RiskLevel.Low), ("send_email", RiskLevel.Medium), ("delete_record", RiskLevel.High),
    ];

    private static readonly (string Agent, string Description, string Owner)[] Agents =
    [
        ("support-bot", "Answers customer questions and writes to customers.", "support@demo.shield"),
        ("billing-bot", "Cleans up billing records.", "billing@demo.shield"),
    ];

    // support-bot: look up freely, emails wait for a reviewer, deleting is denied. billing-bot: deleting (high risk) waits.
    private static readonly (string Agent, string Tool, GrantEffect Effect)[] Grants =
    [
        ("support-bot", "lookup_customer", GrantEffect.Allow), ("support-bot", "send_email", GrantEffect.Approve), ("support-bot", "delete_record", GrantEffect.Deny),
        ("billing-bot", "lookup_customer", GrantEffect.Allow), ("billing-bot", "delete_record", GrantEffect.Allow),
    ];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        await RegisterServerAsync(services, cancellationToken);
        var agents = services.GetRequiredService<AgentDirectory>();
        var existing = (await agents.ListAsync(cancellationToken)).Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, description, owner) in Agents)
        {
            var issued = existing.Contains(name)
                ? await agents.RotateKeyAsync(name, Demo, cancellationToken)
                : await agents.CreateAsync(new AgentInput(name, description, owner, [], true), Demo, cancellationToken);
            credentials.AgentKeys[name] = Ok(issued).Key;
        }

        var book = services.GetRequiredService<GrantBook>();
        foreach (var (agent, tool, effect) in Grants)
        {
            // A grant already there (an earlier demo start) is refused as a conflict: that is fine.
            await book.AddAsync(new GrantInput(SubjectKind.Agent, agent, Server, tool, effect), Demo, cancellationToken);
        }

        await EnsurePeopleAsync(services.GetRequiredService<UserDirectory>(), cancellationToken);
        LogDemo(logger, string.Join(Environment.NewLine, [
            "Demo mode: the data below is sample data, kept in its own database. Sign in with:",
            .. credentials.People.Select(p => $"  {p.Role,-16} {p.Email,-22} {p.Password}"),
            "Agent keys (for POST /api/sessions, or the simulator):",
            .. credentials.AgentKeys.Select(k => $"  {k.Key,-16} {k.Value}"),
            $"Try: dotnet run --project Shield.Console -- simulate-agent --key {credentials.AgentKeys["support-bot"]}",
        ]));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task RegisterServerAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var catalog = services.GetRequiredService<ServerCatalog>();
        var input = new ServerInput(Server, "Demo tools", "Harmless tools for trying Shield: nothing is sent or deleted.", "Shield demo", true,
            ServerTransport.Http, upstream.Url, null, null, [], []);
        Ok(await catalog.FindAsync(Server, cancellationToken) is null
            ? await catalog.CreateAsync(input, Demo, cancellationToken)
            : await catalog.UpdateAsync(Server, input, Demo, cancellationToken));
        var report = await services.GetRequiredService<DiscoveryService>().DiscoverAsync(Server, Demo, cancellationToken);
        if (report is not { Succeeded: true })
        {
            throw new InvalidOperationException($"The demo server could not be discovered: {report?.Error}");
        }

        var review = services.GetRequiredService<ToolReview>();
        foreach (var tool in (await review.ListAsync(cancellationToken)).Where(t => t.Server == Server))
        {
            if (tool.State != ToolState.Approved)
            {
                Ok(await review.ApproveAsync(tool.Id, tool.Fingerprint, Demo, cancellationToken));
            }

            if (Risks.FirstOrDefault(r => r.Tool == tool.Name) is { Tool: not null } wanted && tool.Risk != wanted.Risk)
            {
                Ok(await review.SetRiskAsync(tool.Id, wanted.Risk, Demo, cancellationToken));
            }
        }
    }

    private async Task EnsurePeopleAsync(UserDirectory users, CancellationToken cancellationToken)
    {
        var existing = await users.ListAsync(cancellationToken);
        foreach (var (email, role, password) in credentials.People)
        {
            Ok(existing.FirstOrDefault(u => string.Equals(u.Email, email, StringComparison.OrdinalIgnoreCase)) is { } user
                ? await users.UpdateAsync(user.Id, new UpdateUserRequest([role], true, password), actorId: null)
                : await users.CreateAsync(new CreateUserRequest(email, password, [role], true), actorId: null));
        }
    }

    private static T Ok<T>(Result<T> result) where T : class =>
        result.Value ?? throw new InvalidOperationException($"Demo mode could not set itself up: {result.Refusal!.Message}");

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Demo}")]
    private static partial void LogDemo(ILogger logger, string demo);
}

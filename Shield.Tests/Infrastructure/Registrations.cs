using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Registry;
using Shield.Core.Governance;
using Shield.Core.Registry;

namespace Shield.Tests.Infrastructure;

/// <summary>Registers servers and runs discoveries through the console's own services, as an administrator would.</summary>
public static class Registrations
{
    public static readonly Actor Admin = new(Actor.Person, "test-admin", ShieldAppFactory.AdminEmail);

    public static async Task<ServerView> HttpServerAsync(this ShieldAppFactory app, string name, string url, params SettingInput[] headers)
    {
        var result = await app.Services.GetRequiredService<ServerCatalog>().CreateAsync(
            new ServerInput(name, null, null, "tests", true, ServerTransport.Http, url, null, null, headers, null), Admin);
        return result.Value ?? throw new InvalidOperationException(result.Refusal!.Message);
    }

    public static async Task<ServerView> StdioServerAsync(this ShieldAppFactory app, string name, string command, string[] arguments, params SettingInput[] environment)
    {
        var result = await app.Services.GetRequiredService<ServerCatalog>().CreateAsync(
            new ServerInput(name, null, null, "tests", true, ServerTransport.Stdio, null, command, arguments, null, environment), Admin);
        return result.Value ?? throw new InvalidOperationException(result.Refusal!.Message);
    }

    public static async Task<DiscoveryReport> DiscoverAsync(this ShieldAppFactory app, string name) =>
        await app.Services.GetRequiredService<DiscoveryService>().DiscoverAsync(name, Admin, TestContext.Current.CancellationToken)
            ?? throw new InvalidOperationException($"No server named {name}.");

    /// <summary>Runs <paramref name="trigger"/> and waits for the discovery of <paramref name="server"/> it causes.</summary>
    public static async Task<DiscoveryReport> DiscoveryCausedByAsync(this ShieldAppFactory app, string server, Func<Task> trigger)
    {
        var discovery = app.Services.GetRequiredService<DiscoveryService>();
        var completed = new TaskCompletionSource<DiscoveryReport>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Seen(DiscoveryReport report)
        {
            if (report.Server == server)
            {
                completed.TrySetResult(report);
            }
        }

        discovery.Completed += Seen;
        try
        {
            await trigger();
            return await completed.Task.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        }
        finally
        {
            discovery.Completed -= Seen;
        }
    }

    /// <summary>Registers <paramref name="server"/> on the upstream, discovers it and approves the named tools.</summary>
    public static async Task ApprovedToolsAsync(this ShieldAppFactory app, string server, UpstreamServer upstream, params string[] tools)
    {
        foreach (var tool in tools)
        {
            upstream.Set(tool, $"The {tool} tool.");
        }

        await app.HttpServerAsync(server, upstream.Url);
        await app.DiscoverAsync(server);
        var review = app.Services.GetRequiredService<ToolReview>();
        foreach (var tool in await app.ToolsAsync(server))
        {
            await review.ApproveAsync(tool.Id, tool.Fingerprint, Admin, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Discovers a registered server and approves every tool it offers, at low risk.</summary>
    public static async Task ApproveDiscoveredAsync(this ShieldAppFactory app, string server)
    {
        var report = await app.DiscoverAsync(server);
        Assert.True(report.Succeeded, report.Error);
        var review = app.Services.GetRequiredService<ToolReview>();
        foreach (var tool in await app.ToolsAsync(server))
        {
            await review.ApproveAsync(tool.Id, tool.Fingerprint, Admin, TestContext.Current.CancellationToken);
        }

        await app.LowRiskAsync(server);
    }

    /// <summary>Registers the server again as it is, with its agents sharing one upstream session (no headers or variables: those it has are dropped).</summary>
    public static async Task ShareSessionsAsync(this ShieldAppFactory app, string server)
    {
        var catalog = app.Services.GetRequiredService<ServerCatalog>();
        var s = await catalog.FindAsync(server, TestContext.Current.CancellationToken) ?? throw new InvalidOperationException($"No server named {server}.");
        var result = await catalog.UpdateAsync(server, new ServerInput(s.Name, s.DisplayName, s.Description, s.Owner, s.Enabled, s.Transport, s.Url, s.Command, s.Arguments, [], [],
            ShareSessions: true), Admin, TestContext.Current.CancellationToken);
        _ = result.Value ?? throw new InvalidOperationException(result.Refusal!.Message);
    }

    /// <summary>Sets every tool of the server to low risk, so that only grants decide which calls need approval.</summary>
    public static async Task LowRiskAsync(this ShieldAppFactory app, string server)
    {
        var review = app.Services.GetRequiredService<ToolReview>();
        foreach (var tool in await app.ToolsAsync(server))
        {
            await review.SetRiskAsync(tool.Id, RiskLevel.Low, Admin, TestContext.Current.CancellationToken);
        }
    }

    public static async Task<IReadOnlyList<ToolView>> ToolsAsync(this ShieldAppFactory app, string server) =>
        [.. (await app.Services.GetRequiredService<ToolReview>().ListAsync(TestContext.Current.CancellationToken)).Where(t => t.Server == server)];
}

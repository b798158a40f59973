using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shield.Console.Accounts;
using Shield.Console.Agents;
using Shield.Console.Demo;
using Shield.Console.Grants;
using Shield.Console.Registry;
using Shield.Core.Accounts;
using Shield.Core.Registry;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Demo;

/// <summary><c>--demo</c>: the demo server, agents and accounts, printed at start, on a database of their own.</summary>
public sealed class DemoModeTests
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    [Fact]
    public async Task DemoMode_RegistersTheDemoToolsAgentsAndAccounts_AndPrintsHowToSignIn()
    {
        await using var app = new ShieldAppFactory { Settings = new Dictionary<string, string?> { ["Shield:Demo:Enabled"] = "true" } };
        var credentials = app.Services.GetRequiredService<DemoCredentials>();

        var tools = (await app.ToolsAsync("demo")).ToDictionary(t => t.Name);
        Assert.Equal(["delete_record", "lookup_customer", "send_email"], tools.Keys.Order(StringComparer.Ordinal));
        Assert.All(tools.Values, t => Assert.Equal(ToolState.Approved, t.State));
        Assert.Equal((RiskLevel.Low, RiskLevel.Medium, RiskLevel.High), (tools["lookup_customer"].Risk, tools["send_email"].Risk, tools["delete_record"].Risk));
        Assert.Equal(["billing-bot", "support-bot"], (await app.Services.GetRequiredService<AgentDirectory>().ListAsync(_cancel)).Select(a => a.Name));
        Assert.Equal(5, (await app.Services.GetRequiredService<GrantBook>().ListAsync(_cancel)).Count);
        var users = await ListUsersAsync(app);
        Assert.Contains(users, u => u.Email == DemoCredentials.ReviewerEmail && u.Roles.SequenceEqual([ShieldRoles.Reviewer]));
        Assert.Contains(users, u => u.Email == DemoCredentials.AuditorEmail && u.Roles.SequenceEqual([ShieldRoles.Auditor]));
        var printed = string.Join("\n", app.Logs.Messages("DemoSeeder"));
        Assert.Contains(credentials.PasswordOf(DemoCredentials.ReviewerEmail), printed, StringComparison.Ordinal);
        Assert.Contains(credentials.AgentKeys["support-bot"], printed, StringComparison.Ordinal);
        Assert.Contains("simulate-agent --key", printed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnotherStart_OfTheSameDemo_ReissuesKeysAndPasswords_WithoutDuplicatingAnything()
    {
        using var folder = new TempFolder();
        string firstKey;
        await using (var first = new ShieldAppFactory { DataDirectory = folder.Path, Settings = new Dictionary<string, string?> { ["Shield:Demo:Enabled"] = "true" } })
        {
            firstKey = first.Services.GetRequiredService<DemoCredentials>().AgentKeys["support-bot"];
        }

        await using var second = new ShieldAppFactory { DataDirectory = folder.Path, Settings = new Dictionary<string, string?> { ["Shield:Demo:Enabled"] = "true" } };
        var credentials = second.Services.GetRequiredService<DemoCredentials>();

        Assert.NotEqual(firstKey, credentials.AgentKeys["support-bot"]);
        Assert.Equal(3, (await second.ToolsAsync("demo")).Count(t => t.State == ToolState.Approved));
        Assert.Equal(5, (await second.Services.GetRequiredService<GrantBook>().ListAsync(_cancel)).Count);
        Assert.Single(await second.Services.GetRequiredService<ServerCatalog>().ListAsync(_cancel));
        Assert.Equal(4, (await ListUsersAsync(second)).Count); // the test administrator and the three demo accounts
    }

    [Fact]
    public async Task WithoutDemoMode_ThereIsNoDemoData()
    {
        await using var app = new ShieldAppFactory();

        Assert.Empty(await app.Services.GetRequiredService<ServerCatalog>().ListAsync(_cancel));
        Assert.Empty(await app.Services.GetRequiredService<AgentDirectory>().ListAsync(_cancel));
        Assert.DoesNotContain(await ListUsersAsync(app), u => u.Email.EndsWith("@demo.shield", StringComparison.Ordinal));
        Assert.Null(app.Services.GetService<DemoCredentials>());
    }

    [Theory]
    [InlineData(null, "Data Source=data/shield-demo.db")]
    [InlineData("Data Source=/srv/mine.db", "Data Source=/srv/mine.db")]
    public void DemoMode_KeepsItsDataInItsOwnDatabase_UnlessOneIsConfigured(string? configured, string expected)
    {
        var builder = WebApplication.CreateBuilder(DemoExtensions.WithDemoFlag(["--demo"]));
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Shield"] = configured });

        builder.UseDemoDatabase();

        Assert.Equal(expected, builder.Configuration.GetConnectionString("Shield"));
    }

    [Fact]
    public void DemoMode_MakesTheDemoAdministratorTheFirstOne_UnlessOneIsConfigured()
    {
        var demo = WebApplication.CreateBuilder(DemoExtensions.WithDemoFlag(["--demo"]));
        var configured = WebApplication.CreateBuilder(DemoExtensions.WithDemoFlag(["--demo", "--Shield:Bootstrap:AdminEmail=me@bank.test"]));

        demo.UseDemoDatabase();
        configured.UseDemoDatabase();

        Assert.Equal(DemoCredentials.AdminEmail, demo.Configuration["Shield:Bootstrap:AdminEmail"]);
        Assert.False(string.IsNullOrEmpty(demo.Configuration["Shield:Bootstrap:AdminPassword"]));
        Assert.Equal("me@bank.test", configured.Configuration["Shield:Bootstrap:AdminEmail"]);
    }

    [Fact]
    public async Task DemoMode_OutsideDevelopment_StopsTheStart()
    {
        using var folder = new TempFolder();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = folder.Path, Args = ["--urls", "http://127.0.0.1:0", "--demo"] });
        builder.Configuration.AddCommandLine(DemoExtensions.WithDemoFlag(["--demo"]));
        builder.Configuration["ConnectionStrings:Shield"] = $"Data Source={Path.Combine(folder.Path, "shield.db")}";
        builder.Logging.ClearProviders();
        Shield.Console.Hosting.ShieldConsoleBuilderExtensions.AddShieldConsole(builder);
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(_cancel));

        Assert.Contains(error.Failures, f => f.Contains("works only in the Development environment", StringComparison.Ordinal));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    private static async Task<IReadOnlyList<UserView>> ListUsersAsync(ShieldAppFactory app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<UserDirectory>().ListAsync(TestContext.Current.CancellationToken);
    }
}

using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Registry;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Governance;

public sealed class PolicyFileImportTests
{
    [Fact]
    public async Task ThePolicyFile_IsAppliedAtStart()
    {
        using var folder = new TempFolder();
        var policy = Path.Combine(folder.Path, "shield-policy.json");
        await File.WriteAllTextAsync(policy, """
            { "version": 1, "servers": [ { "name": "from-file", "transport": "stdio", "command": "node", "args": ["server.js"], "env": { "KEY": "${env:FILE_KEY}" } } ] }
            """, TestContext.Current.CancellationToken);
        await using var app = new ShieldAppFactory { Settings = new Dictionary<string, string?> { ["Shield:PolicyFile"] = policy } };

        var server = await app.Services.GetRequiredService<ServerCatalog>().FindAsync("from-file", TestContext.Current.CancellationToken);

        Assert.NotNull(server);
        Assert.Equal(["server.js"], server.Arguments);
        Assert.Equal([new SettingView("KEY", "${env:FILE_KEY}", false)], server.Environment);
    }

    [Theory]
    [InlineData("{ \"version\": 1, \"servers\": [ { \"name\": \"UPPER\", \"transport\": \"http\", \"url\": \"https://x.example/mcp\" } ] }", "$.servers[0].name")]
    [InlineData(null, "does not exist")]
    public async Task AnInvalidOrMissingPolicyFile_StopsTheStart(string? content, string expected)
    {
        using var folder = new TempFolder();
        var policy = Path.Combine(folder.Path, "policy.json");
        if (content is not null)
        {
            await File.WriteAllTextAsync(policy, content, TestContext.Current.CancellationToken);
        }

        await using var app = new ShieldAppFactory { Settings = new Dictionary<string, string?> { ["Shield:PolicyFile"] = policy } };

        var error = Assert.Throws<InvalidOperationException>(() => app.Services);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}

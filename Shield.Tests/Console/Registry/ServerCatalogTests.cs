using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Common;
using Shield.Console.Grants;
using Shield.Console.Registry;
using Shield.Core.Grants;
using Shield.Core.Persistence;
using Shield.Core.Registry;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Registry;

public sealed class ServerCatalogTests(ShieldAppFactory app) : IClassFixture<ShieldAppFactory>
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    private ServerCatalog Catalog => app.Services.GetRequiredService<ServerCatalog>();

    [Fact]
    public async Task EveryProblemWithAServer_IsReportedAtOnce_ByField()
    {
        var result = await Catalog.CreateAsync(new ServerInput("Not A Slug", null, null, null, true, ServerTransport.Http, "ftp://files.example",
            null, null, [new SettingInput("Bad Header", "x"), new SettingInput("X-Key", "")], null), Registrations.Admin, _cancel);

        Assert.Equal(RefusalKind.Invalid, result.Refusal?.Kind);
        Assert.Equal(["headers", "name", "url"], result.Refusal!.Errors!.Keys.Order());
        Assert.Contains(result.Refusal.Errors["headers"], m => m.Contains("'X-Key' needs a value", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("https://user:password@crm.example/mcp", "url", "not in the URL")]
    [InlineData("https://crm.example/mcp", "headers", "one of Shield's own settings")]
    public async Task CredentialsInTheUrl_AndReferencesToShieldsOwnSettings_AreRefused(string url, string field, string message)
    {
        var result = await Catalog.CreateAsync(Http("leaky", url, new SettingInput("X-Db", field == "headers" ? "${env:ConnectionStrings__Shield}" : "${env:SAFE}")),
            Registrations.Admin, _cancel);

        Assert.Contains(result.Refusal!.Errors![field], m => m.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task NamesAreUnique_AndNeverChange()
    {
        await app.HttpServerAsync("unique", "https://a.example/mcp");

        var twice = await Catalog.CreateAsync(Http("unique", "https://b.example/mcp"), Registrations.Admin, _cancel);
        var renamed = await Catalog.UpdateAsync("unique", Http("renamed", "https://a.example/mcp"), Registrations.Admin, _cancel);

        Assert.Equal(RefusalKind.Conflict, twice.Refusal?.Kind);
        Assert.Equal(RefusalKind.Invalid, renamed.Refusal?.Kind);
        Assert.Contains("cannot change", renamed.Refusal!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EditingKeepsAStoredSecretLeftEmpty_AndReplacesOneGivenAgain()
    {
        await app.HttpServerAsync("keeps", "https://k.example/mcp", new SettingInput("Authorization", "Bearer one"), new SettingInput("X-Other", "two"));

        var edited = await Catalog.UpdateAsync("keeps", Http("keeps", "https://k.example/v2/mcp", new SettingInput("Authorization", ""), new SettingInput("X-New", "${env:NEW}")),
            Registrations.Admin, _cancel);

        Assert.Equal([new SettingView("Authorization", null, true), new SettingView("X-New", "${env:NEW}", false)], edited.Value!.Headers);
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContextAsync(_cancel);
        var stored = await db.Servers.SingleAsync(s => s.Name == "keeps", _cancel);
        Assert.Equal("Bearer one", app.Services.GetRequiredService<ISecretProtector>().Unprotect(stored.Headers.Single(h => h.Name == "Authorization").ProtectedValue!));
    }

    [Fact]
    public async Task DeletingAServer_RemovesItsInventoryAndGrants_AndRecordsWhoDidIt()
    {
        await using var upstream = await UpstreamServer.StartAsync();
        upstream.Set("t", "A tool.");
        await app.HttpServerAsync("doomed", upstream.Url);
        await app.DiscoverAsync("doomed");
        var grants = app.Services.GetRequiredService<GrantBook>();
        await grants.AddAsync(new GrantInput(SubjectKind.Role, "doomed-users", "doomed", Grant.AllTools, GrantEffect.Allow), Registrations.Admin, _cancel);

        Assert.Null(await Catalog.DeleteAsync("doomed", Registrations.Admin, _cancel));

        Assert.Null(await Catalog.FindAsync("doomed", _cancel));
        Assert.Empty(await app.ToolsAsync("doomed"));
        Assert.DoesNotContain(await grants.ListAsync(_cancel), g => g.Server == "doomed");
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContextAsync(_cancel);
        var changes = await db.GovernanceChanges.Where(c => c.SubjectKey == "doomed" || c.SubjectKey.StartsWith("doomed/")).OrderBy(c => c.Id).ToListAsync(_cancel);
        Assert.Equal(["created", "discovered", "deleted"], changes.Select(c => c.Action));
        Assert.Contains(await db.GovernanceChanges.Where(c => c.Subject == "grant" && c.Action == "deleted").Select(c => c.SubjectKey).ToListAsync(_cancel), k => k.Contains("doomed", StringComparison.Ordinal));
        Assert.All(changes, c => Assert.Equal(Registrations.Admin.Name, c.ActorName));
        Assert.Equal(RefusalKind.NotFound, (await Catalog.DeleteAsync("doomed", Registrations.Admin, _cancel))?.Kind);
    }

    private static ServerInput Http(string name, string url, params SettingInput[] headers) =>
        new(name, null, null, null, true, ServerTransport.Http, url, null, null, headers, null);
}

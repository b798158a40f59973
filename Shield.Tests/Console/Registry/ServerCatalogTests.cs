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

    [Theory]
    [InlineData("headers", "Authorization", "Bearer a\r\nX-Injected: yes", "The value of the header 'Authorization' holds a control character (U+000D) at position 9")]
    [InlineData("headers", "Authorization", "Bearer a\nX-Injected: yes", "holds a control character (U+000A) at position 9")]
    [InlineData("headers", "X-Key", "a\u0000b", "holds a control character (U+0000)")]
    [InlineData("headers", "X-Key", "\u001b[31mred", "holds a control character (U+001B)")]
    [InlineData("headers", "X-Key", "a\tb", "holds a control character (U+0009)")]
    [InlineData("headers", "X-Key", "na\u00efve", "holds a non-ASCII character (U+00EF)")]
    [InlineData("headers", "X-Key", "a\u2028b", "holds a non-ASCII character (U+2028)")]
    [InlineData("headers", "X Key", "v", "'X Key' is not a header name")]
    [InlineData("headers", "X-Key:", "v", "'X-Key:' is not a header name")]
    [InlineData("headers", "X-Key\r\nSet-Cookie", "v", "is not a header name")]
    [InlineData("headers", "Host", "evil.example", "'Host' is set by HTTP or by MCP for each request")]
    [InlineData("headers", "transfer-encoding", "chunked", "'transfer-encoding' is set by HTTP or by MCP")]
    [InlineData("headers", "Content-Length", "0", "'Content-Length' is set by HTTP or by MCP")]
    [InlineData("headers", "Mcp-Session-Id", "another-agents-session", "'Mcp-Session-Id' is set by HTTP or by MCP")]
    [InlineData("environment", "API_KEY", "a\nX-Injected", "The value of the environment variable 'API_KEY' holds a control character (U+000A) at position 2")]
    [InlineData("environment", "API_KEY", "a\u0085b", "holds a control character (U+0085)")]
    [InlineData("environment", "1KEY", "v", "'1KEY' is not an environment variable name")]
    [InlineData("environment", "A=B", "v", "'A=B' is not an environment variable name")]
    public async Task ControlCharactersAndUnsafeNames_AreRefused_WithoutRepeatingTheValue(string field, string name, string value, string message)
    {
        var setting = new SettingInput(name, value);
        var input = field == "headers"
            ? Http("unsafe", "https://crm.example/mcp", setting)
            : new ServerInput("unsafe", null, null, null, true, ServerTransport.Stdio, null, "node", [], null, [setting]);

        var result = await Catalog.CreateAsync(input, Registrations.Admin, _cancel);

        Assert.Equal([field], result.Refusal!.Errors!.Keys);
        var problem = Assert.Single(result.Refusal.Errors[field]);
        Assert.Contains(message, problem, StringComparison.Ordinal);
        Assert.DoesNotContain("X-Injected", problem, StringComparison.Ordinal);
        Assert.Null(await Catalog.FindAsync("unsafe", _cancel));
    }

    [Fact]
    public async Task PrintableHeaderValues_AndUnicodeEnvironmentValues_AreAccepted()
    {
        var http = await Catalog.CreateAsync(Http("printable", "https://crm.example/mcp", new SettingInput("X-Api-Key", "Bearer a-Z_0 9~!\"{}")), Registrations.Admin, _cancel);
        var stdio = await Catalog.CreateAsync(new ServerInput("unicode", null, null, null, true, ServerTransport.Stdio, null, "node", [], null,
            [new SettingInput("GREETING", "grüß dich")]), Registrations.Admin, _cancel);

        Assert.NotNull(http.Value);
        Assert.NotNull(stdio.Value);
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
        var changes = await db.GovernanceChanges.Where(c => c.SubjectKey == "doomed" || c.SubjectKey.StartsWith("doomed__")).OrderBy(c => c.Id).ToListAsync(_cancel);
        Assert.Equal(["created", "discovered", "deleted"], changes.Select(c => c.Action));
        Assert.Contains(await db.GovernanceChanges.Where(c => c.Subject == "grant" && c.Action == "deleted").Select(c => c.SubjectKey).ToListAsync(_cancel), k => k.Contains("doomed", StringComparison.Ordinal));
        Assert.All(changes, c => Assert.Equal(Registrations.Admin.Name, c.ActorName));
        Assert.Equal(RefusalKind.NotFound, (await Catalog.DeleteAsync("doomed", Registrations.Admin, _cancel))?.Kind);
    }

    private static ServerInput Http(string name, string url, params SettingInput[] headers) =>
        new(name, null, null, null, true, ServerTransport.Http, url, null, null, headers, null);
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shield.Core.Accounts;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Registry;

public sealed class RegistryApiTests(ShieldAppFactory app) : IClassFixture<ShieldAppFactory>
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    [Fact]
    public async Task DiscoverNow_AnswersWithWhatChanged_AndTheRegistrySpeaksInNames()
    {
        await using var upstream = await UpstreamServer.StartAsync();
        upstream.Set("echo", "Echoes.");
        await app.HttpServerAsync("api-echo", upstream.Url);
        var admin = await ConsoleSignIn.ApiClientAsync(app, ShieldAppFactory.AdminEmail, ShieldAppFactory.AdminPassword);

        var response = await admin.PostAsync("/api/servers/api-echo/discover", null, _cancel);
        var report = await response.Content.ReadFromJsonAsync<JsonElement>(_cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(report.GetProperty("succeeded").GetBoolean());
        Assert.Equal(["echo"], report.GetProperty("added").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("/api/servers/nope/discover", null, _cancel)).StatusCode);

        // Enums are names, as in the governance document.
        var server = await admin.GetFromJsonAsync<JsonElement>("/api/servers/api-echo", _cancel);
        var tool = (await admin.GetFromJsonAsync<JsonElement>("/api/tools", _cancel)).EnumerateArray().Single(t => t.GetProperty("server").GetString() == "api-echo");
        Assert.Equal("http", server.GetProperty("transport").GetString());
        Assert.Equal("pending", tool.GetProperty("state").GetString());
        Assert.Contains(tool.GetProperty("risk").GetString(), new[] { "low", "medium", "high", "critical" });
        Assert.Equal(JsonValueKind.String, tool.GetProperty("suggestedRisk").ValueKind);
    }

    [Theory]
    [InlineData(null, "2026-07-28")]
    [InlineData("2026-07-28", "2026-07-28")]
    [InlineData("2025-11-25", "2025-11-25")]
    public async Task Discovery_RecordsTheNewestRevisionTheServerSpeaks_AndTheApiShowsIt(string? serverSpeaks, string recorded)
    {
        await using var upstream = await UpstreamServer.StartAsync(revision: serverSpeaks);
        upstream.Set("echo", "Echoes.");
        var name = $"api-rev-{serverSpeaks ?? "any"}";
        await app.HttpServerAsync(name, upstream.Url);
        var admin = await ConsoleSignIn.ApiClientAsync(app, ShieldAppFactory.AdminEmail, ShieldAppFactory.AdminPassword);

        var report = await (await admin.PostAsync($"/api/servers/{name}/discover", null, _cancel)).Content.ReadFromJsonAsync<JsonElement>(_cancel);
        var server = await admin.GetFromJsonAsync<JsonElement>($"/api/servers/{name}", _cancel);

        Assert.True(report.GetProperty("succeeded").GetBoolean(), report.GetProperty("error").GetString());
        Assert.Equal(recorded, report.GetProperty("protocolRevision").GetString());
        Assert.Equal(recorded, server.GetProperty("protocolRevision").GetString());
        Assert.Equal(report.GetProperty("atUtc").GetDateTime(), server.GetProperty("protocolRevisionLearnedAtUtc").GetDateTime());
    }

    [Fact]
    public async Task Auditors_ReadTheRegistry_ButCannotDiscover_AndReviewersSeeNothing()
    {
        await app.HttpServerAsync("api-readonly", "https://crm.example/mcp", new Shield.Console.Registry.SettingInput("Authorization", "Bearer hidden"));
        var auditorEmail = ShieldAppFactory.NewEmail("auditor");
        var reviewerEmail = ShieldAppFactory.NewEmail("reviewer");
        await app.CreateUserAsync(auditorEmail, ShieldRoles.Auditor);
        await app.CreateUserAsync(reviewerEmail, ShieldRoles.Reviewer);
        var auditor = await ConsoleSignIn.ApiClientAsync(app, auditorEmail, ShieldAppFactory.Password);
        var reviewer = await ConsoleSignIn.ApiClientAsync(app, reviewerEmail, ShieldAppFactory.Password);

        var servers = await auditor.GetStringAsync("/api/servers", _cancel);

        Assert.Contains("\"name\":\"api-readonly\"", servers, StringComparison.Ordinal);
        Assert.Contains("\"hasSecret\":true", servers, StringComparison.Ordinal);
        Assert.DoesNotContain("hidden", servers, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync("/api/tools", _cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await auditor.PostAsync("/api/servers/api-readonly/discover", null, _cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reviewer.GetAsync("/api/servers", _cancel)).StatusCode);
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Auditing;
using Shield.Core.Accounts;
using Shield.Core.Approvals;
using Shield.Core.Auditing;
using Shield.Core.Governance;
using Shield.Core.Persistence;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Api;

/// <summary>
/// Every list endpoint answers a page: the JSON array it always answered, with a <c>Link: rel="next"</c> header while
/// more items follow; following the links yields every item once, in order.
/// </summary>
public abstract class PagingSuite(ShieldAppFactory app)
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Tools_ArePagedByServerAndName_AndTheFirstPageStaysAPlainArray()
    {
        await using var upstream = await UpstreamServer.StartAsync();
        foreach (var name in new[] { "a", "b", "c", "d", "e" })
        {
            upstream.Set(name, $"Tool {name}.");
        }

        await app.HttpServerAsync("paged-tools", upstream.Url);
        await app.DiscoverAsync("paged-tools");
        var admin = await AdminAsync();

        var (first, next) = await GetAsync(admin, "/api/tools?limit=2");
        var all = await AllAsync(admin, "/api/tools?limit=2", e => $"{e.GetProperty("server").GetString()}/{e.GetProperty("name").GetString()}");

        Assert.Equal(2, first.GetArrayLength());
        Assert.Contains("limit=2", next, StringComparison.Ordinal);
        Assert.Equal(["paged-tools/a", "paged-tools/b", "paged-tools/c", "paged-tools/d", "paged-tools/e"], all.Where(t => t.StartsWith("paged-tools/", StringComparison.Ordinal)));
        Assert.Equal(all.Order(StringComparer.Ordinal), all);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/tools?after=no-slash", _cancel)).StatusCode);
    }

    [Fact]
    public async Task Servers_AndUsers_ArePaged()
    {
        foreach (var name in new[] { "paged-a", "paged-b", "paged-c" })
        {
            await app.HttpServerAsync(name, "https://crm.example/mcp");
        }

        foreach (var _ in Enumerable.Range(0, 3))
        {
            await app.CreateUserAsync(ShieldAppFactory.NewEmail("paged"), ShieldRoles.Auditor);
        }

        var admin = await AdminAsync();

        var servers = await AllAsync(admin, "/api/servers?limit=1", e => e.GetProperty("name").GetString()!);
        var users = await AllAsync(admin, "/api/users?limit=2", e => e.GetProperty("email").GetString()!);

        Assert.Equal(servers.Order(StringComparer.Ordinal), servers);
        Assert.Superset(new HashSet<string> { "paged-a", "paged-b", "paged-c" }, servers.ToHashSet());
        Assert.True(users.Count >= 4);
        Assert.Equal(users.Distinct(), users);
    }

    [Fact]
    public async Task ASessionTimeline_AndApprovals_ArePaged_WithoutSkippingRequestsMadeAtTheSameMoment()
    {
        var session = Guid.NewGuid();
        var writer = app.Services.GetRequiredService<AuditWriter>();
        List<long> written = [];
        for (var i = 0; i < 5; i++)
        {
            written.Add((await writer.AppendAsync(new AuditRecord
            {
                AtUtc = DateTime.UtcNow, EventType = AuditEventTypes.CallAllowed, ActorKind = Actor.Agent, ActorId = "id", ActorName = "paged-bot", SessionId = session,
            }, _cancel)).Sequence);
        }

        var moment = DateTime.UtcNow;
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContextAsync(_cancel))
        {
            db.ApprovalRequests.AddRange(Enumerable.Range(0, 5).Select(_ => new ApprovalRequest
            {
                SessionId = session, AgentName = "paged-bot", Server = "crm", Tool = "lookup", RequestedAtUtc = moment, ExpiresAtUtc = moment.AddMinutes(5),
                Status = ApprovalStatus.Pending,
            }));
            await db.SaveChangesAsync(_cancel);
        }

        var admin = await AdminAsync();
        var reviewerEmail = ShieldAppFactory.NewEmail("reviewer");
        await app.CreateUserAsync(reviewerEmail, ShieldRoles.Reviewer);
        var reviewer = await ConsoleSignIn.ApiClientAsync(app, reviewerEmail, ShieldAppFactory.Password);

        var timeline = await AllAsync(admin, $"/api/audit/sessions/{session}/timeline?limit=2", e => e.GetProperty("sequence").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture));
        var approvals = await AllAsync(reviewer, "/api/approvals?status=pending&limit=2", e => e.GetProperty("id").GetString()!);

        Assert.Equal(written.Select(s => s.ToString(System.Globalization.CultureInfo.InvariantCulture)), timeline);
        Assert.Equal(5, approvals.Distinct().Count());
        Assert.Equal(HttpStatusCode.BadRequest, (await reviewer.GetAsync("/api/approvals?after=garbage", _cancel)).StatusCode);
    }

    private async Task<HttpClient> AdminAsync() => await ConsoleSignIn.ApiClientAsync(app, ShieldAppFactory.AdminEmail, ShieldAppFactory.AdminPassword);

    private async Task<(JsonElement Items, string? Next)> GetAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url, _cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var next = response.Headers.TryGetValues("Link", out var links) ? links.Single() : null;
        return (await response.Content.ReadFromJsonAsync<JsonElement>(_cancel), next);
    }

    // Follows the Link: rel="next" headers from the first page to the last.
    private async Task<List<string>> AllAsync(HttpClient client, string url, Func<JsonElement, string> key)
    {
        List<string> items = [];
        for (string? page = url; page is not null;)
        {
            var (array, link) = await GetAsync(client, page);
            items.AddRange(array.EnumerateArray().Select(key));
            page = link is null ? null : link[(link.IndexOf('<', StringComparison.Ordinal) + 1)..link.IndexOf('>', StringComparison.Ordinal)];
            Assert.True(link is null || link.EndsWith("; rel=\"next\"", StringComparison.Ordinal), link);
        }

        return items;
    }
}

public sealed class PagingTests(ShieldAppFactory app) : PagingSuite(app), IClassFixture<ShieldAppFactory>;

[Collection(PostgresCollection.Name)]
public sealed class PagingOnPostgresTests(ShieldAppOnPostgres postgres) : PagingSuite(postgres.App), IClassFixture<ShieldAppOnPostgres>;

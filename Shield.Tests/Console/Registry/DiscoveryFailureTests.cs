using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Registry;
using Shield.Core.Auditing;
using Shield.Core.Registry;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Registry;

/// <summary>Every way a server can fail ends in a recorded, readable error and an untouched inventory.</summary>
public sealed class DiscoveryFailureTests(ShieldAppFactory app) : IClassFixture<ShieldAppFactory>
{
    [Fact]
    public async Task AnUnreachableServer_IsRecordedAsFailed_AndItsToolsStay()
    {
        string url;
        await using (var upstream = await UpstreamServer.StartAsync())
        {
            upstream.Set("kept", "Stays in the inventory.");
            url = upstream.Url;
            await app.HttpServerAsync("flaky", url);
            Assert.True((await app.DiscoverAsync("flaky")).Succeeded);
        }

        var report = await app.DiscoverAsync("flaky");

        Assert.False(report.Succeeded);
        Assert.Contains("could not reach http://127.0.0.1:", report.Error, StringComparison.Ordinal);
        var tool = Assert.Single(await app.ToolsAsync("flaky"));
        Assert.Equal(ToolState.PendingReview, tool.State);
        var server = (await app.Services.GetRequiredService<ServerCatalog>().FindAsync("flaky", TestContext.Current.CancellationToken))!;
        Assert.False(server.LastDiscoverySucceeded);
        Assert.Equal(report.Error, server.LastDiscoveryError);
    }

    [Fact]
    public async Task AServerAnsweringTheDiscoverProbeWithAnEmptyResult_IsDiscoveredAsA2025Server()
    {
        await using var upstream = await MisbehavingMcpServer.StartAsync(_ => new JsonObject { ["tools"] = new JsonArray(MisbehavingMcpServer.Tool("lookup")) },
            emptyForUnknown: true);
        await app.HttpServerAsync("empty-answers", upstream.Url);

        var report = await app.DiscoverAsync("empty-answers");

        Assert.True(report.Succeeded, report.Error);
        Assert.Equal("lookup", Assert.Single(await app.ToolsAsync("empty-answers")).Name);
        var server = (await app.Services.GetRequiredService<ServerCatalog>().FindAsync("empty-answers", TestContext.Current.CancellationToken))!;
        Assert.Equal("2025-11-25", server.ProtocolRevision);
    }

    [Fact]
    public async Task AFailedDiscovery_IsInTheAuditTrail_WithWhoRanIt_AndWhy()
    {
        await app.StdioServerAsync("gone", "/no/such/mcp-server", []);

        var report = await app.DiscoverAsync("gone");

        var record = Assert.Single(await app.RecordsAsync(AuditEventTypes.DiscoveryFailed), r => r.Server == "gone");
        Assert.Equal((Registrations.Admin.Name, "person", "failed", report.Error), (record.ActorName, record.ActorKind, record.Outcome, record.Reason));
        Assert.Equal(("server", "gone", "discovery"), (record.Subject, record.SubjectKey, record.Action));
    }

    [Fact]
    public async Task ATlsFailure_IsNamedAsSuch()
    {
        await using var plain = await UpstreamServer.StartAsync();
        await app.HttpServerAsync("tls", plain.Url.Replace("http://", "https://", StringComparison.Ordinal));

        var report = await app.DiscoverAsync("tls");

        Assert.False(report.Succeeded);
        Assert.StartsWith("The TLS connection to https://127.0.0.1:", report.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingCommand_SaysItCouldNotStart()
    {
        await app.StdioServerAsync("missing", "/no/such/mcp-server", []);

        var report = await app.DiscoverAsync("missing");

        Assert.False(report.Succeeded);
        Assert.StartsWith("Shield could not start '/no/such/mcp-server'", report.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AProcessThatExitsAtOnce_ReportsItsExitCodeAndLastWords()
    {
        await app.StdioServerAsync("crashing", "sh", ["-c", "echo 'config file not found' >&2; exit 3"]);

        var report = await app.DiscoverAsync("crashing");

        // How the death is noticed varies (exit status, broken pipe, closed stream); the message says the same either way.
        Assert.False(report.Succeeded);
        Assert.StartsWith("The server process stopped before answering", report.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANodeServerWhoseModuleIsMissing_SaysWhichModule_NotOnlyTheTailOfItsOutput()
    {
        await app.StdioServerAsync("node-missing", "node", ["/no/such/mcp-server.js"]);

        var report = await app.DiscoverAsync("node-missing");

        Assert.False(report.Succeeded);
        Assert.Contains("Error: Cannot find module '/no/such/mcp-server.js'", report.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedEntries_AreRejectedOneByOne_AndTheRestIsInventoried()
    {
        await using var upstream = await MisbehavingMcpServer.StartAsync(_ => new JsonObject
        {
            ["tools"] = new JsonArray(
                MisbehavingMcpServer.Tool("good"),
                "not an object",
                new JsonObject { ["name"] = "no_schema" },
                MisbehavingMcpServer.Tool("bad name!"),
                MisbehavingMcpServer.Tool("twin", "one"),
                MisbehavingMcpServer.Tool("twin", "two"),
                MisbehavingMcpServer.Tool("verbose", new string('x', 1024 * 1024)),
                new JsonObject { ["name"] = "odd_title", ["title"] = 42, ["inputSchema"] = new JsonObject() }),
        });
        await app.HttpServerAsync("sloppy", upstream.Url);

        var report = await app.DiscoverAsync("sloppy");

        Assert.True(report.Succeeded, report.Error);
        Assert.Equal(["good"], report.Added);
        Assert.Equal(["(unnamed)", "no_schema", "odd_title", "bad name!", "twin", "verbose"], report.Rejected.Select(r => r.Name));
        Assert.Contains("1,048,576 characters", report.Rejected.Single(r => r.Name == "verbose").Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("loop", "repeats a page cursor")]
    [InlineData("endless", "runs past 1,000 pages")]
    [InlineData("no-tools", "has no 'tools' array")]
    public async Task BrokenPagination_EndsInAnError_NotAHang(string behaviour, string expected)
    {
        var page = 0;
        await using var upstream = await MisbehavingMcpServer.StartAsync(cursor => behaviour switch
        {
            "loop" => new JsonObject { ["tools"] = new JsonArray(MisbehavingMcpServer.Tool($"t{page++}")), ["nextCursor"] = "again" },
            "endless" => new JsonObject { ["tools"] = new JsonArray(), ["nextCursor"] = $"page-{page++}" },
            _ => new JsonObject { ["items"] = new JsonArray() },
        });
        var name = $"broken-{behaviour}";
        await app.HttpServerAsync(name, upstream.Url);

        var report = await app.DiscoverAsync(name);

        Assert.False(report.Succeeded);
        Assert.Contains(expected, report.Error, StringComparison.Ordinal);
        Assert.Empty(await app.ToolsAsync(name));
    }

    [Fact]
    public async Task TooManyTools_FailTheDiscovery_WithoutAPartialInventory()
    {
        await using var limited = new ShieldAppFactory { Settings = new Dictionary<string, string?> { ["Shield:Registry:MaxToolsPerServer"] = "20" } };
        await using var upstream = await UpstreamServer.StartAsync();
        for (var i = 0; i < 25; i++)
        {
            upstream.Set($"t{i}", "A tool");
        }

        await limited.HttpServerAsync("crowded", upstream.Url);

        var report = await limited.DiscoverAsync("crowded");

        Assert.False(report.Succeeded);
        Assert.Contains("more than 20 tools", report.Error, StringComparison.Ordinal);
        Assert.Empty(await limited.ToolsAsync("crowded"));
    }

    [Fact]
    public async Task AServerThatNeverAnswers_TimesOut()
    {
        await using var quick = new ShieldAppFactory { Settings = new Dictionary<string, string?> { ["Shield:Registry:DiscoveryTimeout"] = "00:00:02" } };
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        await quick.HttpServerAsync("silent", $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/mcp");

        var report = await quick.DiscoverAsync("silent");

        Assert.False(report.Succeeded);
        Assert.Contains("did not answer within 2 seconds", report.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnErrorQuotingTheCredential_IsScrubbedOfIt()
    {
        await using var upstream = await MisbehavingMcpServer.StartAsync(_ => new JsonObject(),
            request => $"invalid credential {request.Headers.Authorization}");
        await app.HttpServerAsync("echoing", upstream.Url, new SettingInput("Authorization", "Bearer leaked-if-not-scrubbed"));

        var report = await app.DiscoverAsync("echoing");

        Assert.False(report.Succeeded);
        Assert.Contains("invalid credential •••", report.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("leaked-if-not-scrubbed", report.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NamesDifferingOnlyInCase_AndOverlongTitles_AreRejectedNotFatal()
    {
        await using var upstream = await MisbehavingMcpServer.StartAsync(_ => new JsonObject
        {
            ["tools"] = new JsonArray(
                MisbehavingMcpServer.Tool("Search"),
                MisbehavingMcpServer.Tool("search"),
                new JsonObject { ["name"] = "titled", ["title"] = new string('t', 600), ["inputSchema"] = new JsonObject() },
                MisbehavingMcpServer.Tool("fine")),
        });
        await app.HttpServerAsync("casing", upstream.Url);

        var report = await app.DiscoverAsync("casing");

        Assert.True(report.Succeeded, report.Error);
        Assert.Equal(["fine"], report.Added);
        Assert.Equal(["Search", "titled"], report.Rejected.Select(r => r.Name));
        var server = (await app.Services.GetRequiredService<ServerCatalog>().FindAsync("casing", TestContext.Current.CancellationToken))!;
        Assert.Equal(2, server.LastDiscoveryRejections.Count);
    }
}

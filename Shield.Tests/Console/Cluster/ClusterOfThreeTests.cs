using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Auditing;
using Shield.Console.Grants;
using Shield.Console.Sessions;
using Shield.Core.Accounts;
using Shield.Core.Agents;
using Shield.Core.Auditing;
using Shield.Core.Grants;
using Shield.Core.Policy;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Cluster;

/// <summary>
/// Three instances on one PostgreSQL database and one Redis (<see cref="ShieldCluster"/>): what is done on one instance
/// reaches the others through Redis's signals and backplane, the database deciding.
/// </summary>
[Collection(PostgresCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class ClusterOfThreeTests(ShieldCluster cluster) : IClassFixture<ShieldCluster>
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(60); // a guard against a hang, not a measurement
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    [Fact]
    public async Task ACallWaitingOnA_ReachesAReviewerConnectedToB_AndBsApprovalReleasesIt()
    {
        var email = ShieldAppFactory.NewEmail("reviewer");
        await cluster.A.CreateUserAsync(email, ShieldRoles.Reviewer);
        using var reviewer = await SignedInAsync(cluster.RootB, email);
        await using var hub = ReviewerHub(cluster.RootB, reviewer);
        var requested = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.On<JsonElement>("ApprovalRequested", view => requested.TrySetResult(view));
        await hub.StartAsync(_cancel);
        var token = (await RelayHarness.MintAsync(cluster.RootA, cluster.AgentKey)).GetProperty("token").GetString()!;
        await using var agent = await RelayHarness.ConnectAsync(cluster.RootA + "/mcp", token);

        var call = agent.CallToolAsync("crm__delete_record", new Dictionary<string, object?> { ["text"] = "record 42" }, cancellationToken: _cancel).AsTask();
        var view = await requested.Task.WaitAsync(Hang, _cancel);
        using var decision = await reviewer.PostAsJsonAsync($"/api/approvals/{view.GetProperty("id").GetGuid()}/decision", new { approve = true }, _cancel);

        Assert.Equal(HttpStatusCode.OK, decision.StatusCode);
        var result = await call.WaitAsync(Hang, _cancel);
        Assert.NotEqual(true, result.IsError);
        Assert.Equal(view.GetProperty("id").GetGuid(), Assert.Single(await cluster.A.RecordsAsync(AuditEventTypes.CallCompleted), r => r.ApprovalId is not null).ApprovalId);
    }

    [Fact]
    public async Task ASessionEndedOnC_IsRefusedOnA_AtItsNextRequest()
    {
        var minted = await RelayHarness.MintAsync(cluster.RootA, cluster.AgentKey);
        var token = minted.GetProperty("token").GetString()!;
        await using var agent = await RelayHarness.ConnectAsync(cluster.RootA + "/mcp", token);
        await agent.CallToolAsync("crm__lookup", new Dictionary<string, object?> { ["text"] = "before" }, cancellationToken: _cancel);
        var forgotten = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.A.Services.GetRequiredService<SessionIssuer>().Stopped += hash =>
        {
            if (hash == SecretToken.Hash(token))
            {
                forgotten.TrySetResult();
            }
        };

        using (var agentOnC = new HttpClient { BaseAddress = new Uri(cluster.RootC) })
        {
            agentOnC.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", cluster.AgentKey);
            using var ended = await agentOnC.DeleteAsync($"/api/sessions/{minted.GetProperty("id").GetGuid()}", _cancel);
            Assert.Equal(HttpStatusCode.NoContent, ended.StatusCode);
        }

        await forgotten.Task.WaitAsync(Hang, _cancel);
        using var next = new HttpClient { BaseAddress = new Uri(cluster.RootA) };
        next.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var refused = await next.PostAsync("/mcp", JsonContent.Create(new { jsonrpc = "2.0", id = 1, method = "tools/list" }), _cancel);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task ASessionOpenedOnA_IsNotFoundOnB_WhereTheSameTokenStartsAgain_WhileAStatelessClientUsesAnyInstance()
    {
        const string List = """{"jsonrpc":"2.0","id":2,"method":"tools/list"}""";
        var token = (await RelayHarness.MintAsync(cluster.RootA, cluster.AgentKey)).GetProperty("token").GetString()!;
        using var onA = await RawMcpSession.OpenAsync(cluster.RootA, token, _cancel);
        using var onB = await RawMcpSession.OpenAsync(cluster.RootB, token, _cancel); // what the client does after the 404

        using var strayed = await RawMcpSession.PostAsync(onB.Http, onA.Id, List, _cancel);
        using var listed = await onB.PostAsync(List, _cancel);

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.OK), (strayed.StatusCode, listed.StatusCode));
        foreach (var root in (string[])[cluster.RootA, cluster.RootB, cluster.RootC])
        {
            await using var stateless = await RelayHarness.ConnectAsync(root + "/mcp", token, new() { ProtocolVersion = "2026-07-28" });
            var result = await stateless.CallToolAsync("crm__lookup", new Dictionary<string, object?> { ["text"] = root }, cancellationToken: _cancel);
            Assert.NotEqual(true, result.IsError);
        }
    }

    [Fact]
    public async Task TheTypeScriptClient_CallsThroughEachInstanceInTurn_WithOneSession_IntoOneTrail()
    {
        var token = (await RelayHarness.MintAsync(cluster.RootA, cluster.AgentKey)).GetProperty("token").GetString()!;
        string[] roots = [cluster.RootA, cluster.RootB, cluster.RootC];

        var marker = Guid.NewGuid().ToString("N");
        foreach (var (root, i) in roots.Select((root, i) => (root, i)))
        {
            var (exitCode, output, errors) = await NodeTools.RunAsync("relay-client.mjs", [root + "/mcp", "crm__lookup", $$"""{"text":"{{marker}}-{{i}}"}"""],
                new Dictionary<string, string> { ["SHIELD_TOKEN"] = token }, _cancel);
            Assert.True(exitCode == 0, errors);
            Assert.Contains("crm__lookup", JsonDocument.Parse(output).RootElement.GetProperty("tools").EnumerateArray().Select(t => t.GetString()));
        }

        var calls = (await cluster.A.RecordsAsync(AuditEventTypes.CallCompleted)).Where(r => r.RedactedArguments?.Contains(marker, StringComparison.Ordinal) == true);
        Assert.Equal(roots.Length, calls.Select(r => r.RedactedArguments).Distinct().Count());
        var report = await cluster.B.Services.GetRequiredService<AuditVerifier>().VerifyAsync("test", _cancel);
        Assert.True(report.Intact, report.FirstBrokenLink?.Problem);
    }

    [Fact]
    public async Task AGrantAddedOnB_AppliesOnA()
    {
        var policy = cluster.A.Services.GetRequiredService<PolicyStore>();
        Assert.Equal(DecisionKind.Deny, policy.Current.Decide("invoice-bot", "crm", "export").Kind);
        var applied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        policy.Replaced += snapshot =>
        {
            if (snapshot.Decide("invoice-bot", "crm", "export").Kind == DecisionKind.Allow)
            {
                applied.TrySetResult();
            }
        };

        await cluster.B.Services.GetRequiredService<GrantBook>().AddAsync(
            new GrantInput(SubjectKind.Agent, "invoice-bot", "crm", "export", GrantEffect.Allow), Registrations.Admin, _cancel);

        await applied.Task.WaitAsync(Hang, _cancel);
    }

    [Fact]
    public async Task EveryInstanceIsReady_WithRedisInItsHealth()
    {
        foreach (var root in new[] { cluster.RootA, cluster.RootB, cluster.RootC })
        {
            using var client = new HttpClient { BaseAddress = new Uri(root) };
            var body = await client.GetFromJsonAsync<JsonElement>("/healthz/ready", _cancel);
            Assert.Equal(("Healthy", "Healthy"), (body.GetProperty("status").GetString(), body.GetProperty("checks").GetProperty("redis").GetString()));
        }
    }

    /// <summary>A reviewer's API client on the instance at <paramref name="root"/>, signed in with the API's bearer token.</summary>
    internal static async Task<HttpClient> SignedInAsync(string root, string email)
    {
        var client = new HttpClient { BaseAddress = new Uri(root) };
        var token = (await ConsoleSignIn.LoginAsync(client, email, ShieldAppFactory.Password)).GetProperty("accessToken").GetString();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static HubConnection ReviewerHub(string root, HttpClient reviewer) => new HubConnectionBuilder()
        .WithUrl(root + "/hubs/approvals", options =>
        {
            options.AccessTokenProvider = () => Task.FromResult(reviewer.DefaultRequestHeaders.Authorization?.Parameter);
            options.Transports = HttpTransportType.WebSockets;
        })
        .Build();
}

/// <summary>One instance of three killed outright while agents call through all of them.</summary>
[Collection(PostgresCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class ClusterInstanceKilledTests(ShieldCluster cluster) : IClassFixture<ShieldCluster>
{
    private const int CallsEach = 20;
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheOtherInstancesCarryOn_NoAcknowledgedCallLacksItsRecord_AndTheTrailVerifies()
    {
        var sessions = new Dictionary<string, (Guid Id, string Token)>();
        foreach (var (name, root) in new[] { ("a", cluster.RootA), ("b", cluster.RootB), ("c", cluster.RootC) })
        {
            var minted = await RelayHarness.MintAsync(root, cluster.AgentKey);
            sessions[name] = (minted.GetProperty("id").GetGuid(), minted.GetProperty("token").GetString()!);
        }

        await using var onA = await RelayHarness.ConnectAsync(cluster.RootA + "/mcp", sessions["a"].Token);
        await using var onB = await RelayHarness.ConnectAsync(cluster.RootB + "/mcp", sessions["b"].Token);
        await using var onC = await RelayHarness.ConnectAsync(cluster.RootC + "/mcp", sessions["c"].Token);
        var acknowledgedOnC = 0;
        for (var i = 0; i < CallsEach / 2; i++)
        {
            await onC.CallToolAsync("crm__lookup", new Dictionary<string, object?> { ["text"] = $"c{i}" }, cancellationToken: _cancel);
            acknowledgedOnC++;
        }

        var throughA = CallAsync(onA, "a");
        var throughB = CallAsync(onB, "b");
        await cluster.KillCAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => onC.CallToolAsync("crm__lookup", new Dictionary<string, object?> { ["text"] = "after" }, cancellationToken: _cancel).AsTask());

        Assert.Equal(CallsEach, await throughA);
        Assert.Equal(CallsEach, await throughB);
        var allowed = await cluster.A.RecordsAsync(AuditEventTypes.CallAllowed);
        Assert.Equal(CallsEach, allowed.Count(r => r.SessionId == sessions["a"].Id));
        Assert.Equal(CallsEach, allowed.Count(r => r.SessionId == sessions["b"].Id));
        Assert.True(allowed.Count(r => r.SessionId == sessions["c"].Id) >= acknowledgedOnC);
        var verification = await cluster.A.Services.GetRequiredService<AuditVerifier>().VerifyAsync("auditor@shield.test", _cancel);
        Assert.True(verification.Intact, verification.FirstBrokenLink?.ToString());
    }

    private async Task<int> CallAsync(ModelContextProtocol.Client.McpClient agent, string instance)
    {
        var acknowledged = 0;
        for (var i = 0; i < CallsEach; i++)
        {
            var result = await agent.CallToolAsync("crm__lookup", new Dictionary<string, object?> { ["text"] = $"{instance}{i}" }, cancellationToken: _cancel);
            acknowledged += result.IsError == true ? 0 : 1;
        }

        return acknowledged;
    }
}

using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;
using Shield.Console.Grants;
using Shield.Core.Auditing;
using Shield.Core.Grants;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Relay;

/// <summary>
/// A log-only grant through the relay: the C# SDK client's calls are decided as before, and the trail records, next to
/// the enforced decision, what the log-only grant would have made of each call it would have changed.
/// </summary>
public sealed class RelayShadowTests
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    [Fact]
    public async Task ALogOnlyDeny_LetsTheCallThrough_AndTheTrailRecordsWouldDeny()
    {
        await using var relay = await RelayHarness.StartAsync(register: async (app, _) =>
        {
            await app.StdioServerAsync("everything", "node", [NodeTools.EverythingServer, "stdio"]);
            await app.ApproveDiscoveredAsync("everything");
        });
        var key = await relay.AgentAsync("echo-bot");
        var book = relay.App.Services.GetRequiredService<GrantBook>();
        Assert.Null((await book.AddAsync(new(SubjectKind.Agent, "echo-bot", "everything", "echo", GrantEffect.Allow), Registrations.Admin, _cancel)).Refusal);
        Assert.Null((await book.AddAsync(new(SubjectKind.Agent, "echo-bot", "everything", "echo", GrantEffect.Deny, "args.message.contains('payroll')", GrantMode.LogOnly),
            Registrations.Admin, _cancel)).Refusal);
        var token = (await relay.MintAsync(["everything__echo"], key: key)).GetProperty("token").GetString()!;
        await using var client = await relay.ConnectAsync(token);

        var watched = await client.CallToolAsync("everything__echo", new Dictionary<string, object?> { ["message"] = "the payroll file" }, cancellationToken: _cancel);
        var plain = await client.CallToolAsync("everything__echo", new Dictionary<string, object?> { ["message"] = "hello" }, cancellationToken: _cancel);

        Assert.Contains("the payroll file", Assert.IsType<TextContentBlock>(watched.Content[0]).Text, StringComparison.Ordinal);
        Assert.Contains("hello", Assert.IsType<TextContentBlock>(plain.Content[0]).Text, StringComparison.Ordinal);
        var trail = await relay.TrailAsync();
        var allowed = trail.Where(r => r.EventType == AuditEventTypes.CallAllowed).ToList();
        Assert.Equal(2, allowed.Count);
        Assert.All(allowed, r => Assert.Equal("Allow", r.Decision));
        Assert.Equal("would-deny", allowed[0].ShadowDecision);
        Assert.Equal("agent:echo-bot → everything__echo deny when args.message.contains('payroll') (log-only)", allowed[0].ShadowGrant);
        Assert.Equal("Denied by the grant agent:echo-bot → everything__echo deny when args.message.contains('payroll') (log-only): args.message was 'the payroll file'.",
            allowed[0].ShadowReason);
        Assert.Null(allowed[1].ShadowDecision);
        // The outcome carries the call's decision and its shadow, and the chain covers them.
        Assert.Contains(trail, r => r.EventType != AuditEventTypes.CallAllowed && r.ShadowDecision == "would-deny");
        Assert.Contains("\"shadowDecision\":\"would-deny\"", AuditChain.CanonicalText(allowed[0]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACallHeldForApproval_CarriesTheShadowOnItsApprovalRecords_EvenWhenItIsRejected()
    {
        await using var relay = await RelayHarness.StartAsync();
        using var watch = new ApprovalWatch(relay.App);
        // delete_record needs approval; a log-only deny would refuse it outright.
        Assert.Null((await relay.App.Services.GetRequiredService<GrantBook>().AddAsync(
            new(SubjectKind.Agent, "invoice-bot", "crm", "delete_record", GrantEffect.Deny, Mode: GrantMode.LogOnly), Registrations.Admin, _cancel)).Refusal);
        await using var client = await relay.ConnectAsync(await relay.TokenAsync());

        var call = client.CallToolAsync("crm__delete_record", new Dictionary<string, object?> { ["text"] = "42" }, cancellationToken: _cancel).AsTask();
        var pending = await watch.NextAsync(Shield.Console.Approvals.ApprovalEventKind.Requested);
        await relay.App.Services.GetRequiredService<Shield.Console.Approvals.ApprovalDesk>()
            .DecideAsync(pending.Id, new Shield.Core.Approvals.Reviewer("r-1", "reviewer@shield.test"), false, "Not today", _cancel);
        await Assert.ThrowsAsync<ModelContextProtocol.McpProtocolException>(() => call);

        var trail = await relay.TrailAsync();
        Assert.Equal([AuditEventTypes.CallApprovalRequired, AuditEventTypes.CallRejected], trail.Select(r => r.EventType));
        Assert.All(trail, r => Assert.Equal(("RequireApproval", "would-deny", "agent:invoice-bot → crm__delete_record deny (log-only)"), (r.Decision, r.ShadowDecision, r.ShadowGrant)));
    }
}

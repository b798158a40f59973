using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using Shield.Console.Grants;
using Shield.Core.Auditing;
using Shield.Core.Grants;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Relay;

/// <summary>
/// The relay decides each call on the arguments it forwards: the C# SDK client calls the npm reference server through
/// Shield, and grants with conditions let some calls through, refuse others with what the condition read, and record why.
/// </summary>
public sealed class RelayConditionTests
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    [Fact]
    public async Task ConditionsDecideOnTheArguments_AndTheRefusalSaysWhatWasRead()
    {
        await using var relay = await RelayHarness.StartAsync(register: async (app, _) =>
        {
            await app.StdioServerAsync("everything", "node", [NodeTools.EverythingServer, "stdio"]);
            await app.ApproveDiscoveredAsync("everything");
        });
        var key = await relay.AgentAsync("sum-bot");
        var book = relay.App.Services.GetRequiredService<GrantBook>();
        foreach (var grant in new GrantInput[]
        {
            new(SubjectKind.Agent, "sum-bot", "everything", "get-sum", GrantEffect.Allow, "args.a + args.b <= 10"),
            new(SubjectKind.Agent, "sum-bot", "everything", "echo", GrantEffect.Allow),
            // On every tool of the server: has() keeps it from failing (and denying) on tools without a message.
            new(SubjectKind.Agent, "sum-bot", "everything", Grant.AllTools, GrantEffect.Deny, "has(args.message) && args.message.contains('payroll')"),
        })
        {
            Assert.Null((await book.AddAsync(grant, Registrations.Admin, _cancel)).Refusal);
        }

        var token = (await relay.MintAsync(["everything__get-sum", "everything__echo"], key: key)).GetProperty("token").GetString()!;
        await using var client = await relay.ConnectAsync(token);

        var small = await client.CallToolAsync("everything__get-sum", new Dictionary<string, object?> { ["a"] = 1, ["b"] = 2 }, cancellationToken: _cancel);
        var large = await Assert.ThrowsAsync<McpProtocolException>(async () =>
            await client.CallToolAsync("everything__get-sum", new Dictionary<string, object?> { ["a"] = 7, ["b"] = 8 }, cancellationToken: _cancel));
        var echoed = await client.CallToolAsync("everything__echo", new Dictionary<string, object?> { ["message"] = "hello" }, cancellationToken: _cancel);
        var denied = await Assert.ThrowsAsync<McpProtocolException>(async () =>
            await client.CallToolAsync("everything__echo", new Dictionary<string, object?> { ["message"] = "the payroll file" }, cancellationToken: _cancel));

        Assert.Contains("3", Assert.IsType<TextContentBlock>(small.Content[0]).Text, StringComparison.Ordinal);
        Assert.Contains("Denied: the grant agent:sum-bot → everything__get-sum allow when args.a + args.b <= 10 does not apply to this call: args.a was 7, args.b was 8.",
            large.Message, StringComparison.Ordinal);
        Assert.Contains("hello", Assert.IsType<TextContentBlock>(echoed.Content[0]).Text, StringComparison.Ordinal);
        Assert.Contains("Denied by the grant agent:sum-bot → everything__* deny when has(args.message) && args.message.contains('payroll'): args.message was 'the payroll file'.",
            denied.Message, StringComparison.Ordinal);
        var trail = await relay.TrailAsync();
        var refusals = trail.Where(r => r.EventType == AuditEventTypes.CallDenied).ToList();
        Assert.Equal(2, refusals.Count);
        Assert.Contains("args.a was 7, args.b was 8", refusals[0].Reason, StringComparison.Ordinal);
        Assert.Contains("args.message.contains('payroll')", refusals[1].Reason, StringComparison.Ordinal);
    }
}

using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Approvals;
using Shield.Console.Demo;
using Shield.Core.Approvals;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Demo;

/// <summary><c>simulate-agent</c> against a demo Shield: every step printed, the approval decided by a reviewer meanwhile.</summary>
public sealed class AgentSimulatorTests : IAsyncLifetime
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;
    private readonly ShieldAppFactory _app = new() { Settings = new Dictionary<string, string?> { ["Shield:Demo:Enabled"] = "true" } };
    private string _root = "";

    public ValueTask InitializeAsync()
    {
        _app.UseKestrel(0);
        _app.StartServer();
        _root = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().Replace("localhost", "127.0.0.1", StringComparison.Ordinal);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task TheSimulator_MintsListsCallsWaitsForApprovalAndEnds_PrintingEachOutcome()
    {
        using var watch = new ApprovalWatch(_app);
        using var output = new StringWriter();
        var key = _app.Services.GetRequiredService<DemoCredentials>().AgentKeys["support-bot"];

        var run = Task.Run(() => AgentSimulator.RunAsync(["--url", _root, "--key", key], TextWriter.Synchronized(output), _cancel), _cancel);
        var pending = await watch.NextAsync(ApprovalEventKind.Requested);
        Assert.Equal(("support-bot", "demo__send_email"), (pending.Agent, pending.QualifiedTool));
        Assert.DoesNotContain("hunter2", pending.Arguments, StringComparison.Ordinal);
        var decided = await _app.Services.GetRequiredService<ApprovalDesk>().DecideAsync(pending.Id, new Reviewer("r-1", DemoCredentials.ReviewerEmail), true, null, _cancel);
        Assert.NotNull(decided.Value);

        Assert.Equal(0, await run);
        var printed = output.ToString();
        Assert.Contains("– not in the session: demo__delete_record", printed, StringComparison.Ordinal);
        Assert.Contains("✓ demo__lookup_customer, demo__send_email", printed, StringComparison.Ordinal);
        Assert.Contains("✓ Customer C-1001: Ada Lovelace", printed, StringComparison.Ordinal);
        Assert.Contains("✗ refused: The tool 'demo__delete_record' is not in this session's tools", printed, StringComparison.Ordinal);
        Assert.Contains("… Waiting for a reviewer to approve the call", printed, StringComparison.Ordinal);
        Assert.Contains("✓ Recorded an email to ada.lovelace@example.com", printed, StringComparison.Ordinal);
        Assert.Contains("✓ ended", printed, StringComparison.Ordinal);
        Assert.Contains(_app.Services.GetRequiredService<DemoUpstream>().Recorded, r => r.StartsWith("send_email:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData]
    [InlineData("--url", "not a url", "--key", "shk_x")]
    public async Task WithoutAKeyOrAUrl_ItExplainsHowToRunIt(params string[] args)
    {
        using var output = new StringWriter();

        Assert.Equal(2, await AgentSimulator.RunAsync(args, output, _cancel));
        Assert.Contains("Usage: dotnet run --project Shield.Console -- simulate-agent --key", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWrongKey_IsReportedClearly()
    {
        using var output = new StringWriter();

        Assert.Equal(1, await AgentSimulator.RunAsync(["--url", _root, "--key", "shk_wrong"], output, _cancel));
        Assert.Contains("✗ Shield refused the session (401)", output.ToString(), StringComparison.Ordinal);
    }
}

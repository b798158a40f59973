using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using Shield.Tests.Console.Approvals;

namespace Shield.Tests.Infrastructure;

/// <summary>
/// What tests of waiting calls share: the relay (<see cref="RelayHarness"/>: crm__delete_record needs approval), a
/// watch on the approval queue, a reviewer signed in to the API, and an upstream that answers "deleted &lt;text&gt;" and
/// counts the calls it ran.
/// </summary>
public sealed class ApprovalHarness : IAsyncDisposable
{
    private int _calls;

    private ApprovalHarness(RelayHarness relay, ApprovalWatch watch, HttpClient reviewer) => (Relay, Watch, Reviewer) = (relay, watch, reviewer);

    public RelayHarness Relay { get; }

    public ApprovalWatch Watch { get; }

    /// <summary>An API client of a person with the reviewer role.</summary>
    public HttpClient Reviewer { get; }

    /// <summary>How many calls reached the upstream.</summary>
    public int Calls => Volatile.Read(ref _calls);

    public static async Task<ApprovalHarness> StartAsync(ShieldAppFactory app)
    {
        var relay = await RelayHarness.StartAsync(app);
        var harness = new ApprovalHarness(relay, new ApprovalWatch(relay.App), await ApprovalFlowTests.ReviewerAsync(relay));
        relay.Upstream.OnCall = (request, _) =>
        {
            Interlocked.Increment(ref harness._calls);
            return ValueTask.FromResult(new CallToolResult { Content = [new TextContentBlock { Text = "deleted " + request.Params!.Arguments!["text"].GetString() }] });
        };
        return harness;
    }

    /// <summary>The reviewer approves, or denies with <paramref name="reason"/>; the decision must be taken.</summary>
    public async Task DecideAsync(Guid id, bool approve, string? reason = null) =>
        (await Reviewer.PostAsJsonAsync($"/api/approvals/{id}/decision", new { approve, reason }, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();

    /// <summary>
    /// One round of a 2026-07-28 client's crm__delete_record call with <paramref name="text"/>, carrying the state of
    /// the round before when given: the result (or the whole response when it is an error).
    /// </summary>
    public async Task<JsonNode> RoundAsync(HttpClient agent, string text, string? state)
    {
        var parameters = new JsonObject { ["name"] = "crm__delete_record", ["arguments"] = new JsonObject { ["text"] = text } };
        if (state is not null)
        {
            parameters["requestState"] = state;
        }

        var (status, message) = await StatelessMcp.SendAsync(agent, "tools/call", "crm__delete_record", parameters);
        Assert.Equal(HttpStatusCode.OK, status);
        return message!["result"] ?? message;
    }

    public async ValueTask DisposeAsync()
    {
        Watch.Dispose();
        Reviewer.Dispose();
        await Relay.DisposeAsync();
    }
}

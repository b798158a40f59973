using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Approvals;
using Shield.Core.Accounts;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Approvals;

/// <summary><c>/hubs/approvals</c> with the SignalR client, as a reviewer's desktop notifier would use it.</summary>
public sealed class ApprovalsHubTests : IAsyncLifetime
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;
    private RelayHarness _relay = default!;

    public async ValueTask InitializeAsync() => _relay = await RelayHarness.StartAsync();

    public async ValueTask DisposeAsync() => await _relay.DisposeAsync();

    [Fact]
    public async Task AReviewersClient_HearsARequestAndItsDecision_AndCanCatchUpOnWhatIsPending()
    {
        using var reviewer = await ApprovalFlowTests.ReviewerAsync(_relay);
        await using var hub = Connect(reviewer.DefaultRequestHeaders.Authorization!.Parameter!);
        var requested = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        var decided = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.On<JsonElement>("ApprovalRequested", view => requested.TrySetResult(view));
        hub.On<JsonElement>("ApprovalDecided", view => decided.TrySetResult(view));
        await hub.StartAsync(_cancel);
        Assert.Empty(await hub.InvokeAsync<JsonElement[]>("Pending", _cancel));
        await using var agent = await _relay.ConnectAsync(await _relay.TokenAsync());

        var call = agent.CallToolAsync("crm__delete_record", new Dictionary<string, object?> { ["text"] = "password=hunter2" }, cancellationToken: _cancel).AsTask();
        var view = await requested.Task.WaitAsync(_cancel);

        Assert.Equal("crm__delete_record", view.GetProperty("qualifiedTool").GetString());
        Assert.Equal(("pending", "low"), (view.GetProperty("status").GetString(), view.GetProperty("risk").GetString()));
        Assert.DoesNotContain("hunter2", view.GetRawText(), StringComparison.Ordinal);
        var id = view.GetProperty("id").GetGuid();
        Assert.Equal(id, Assert.Single(await hub.InvokeAsync<JsonElement[]>("Pending", _cancel)).GetProperty("id").GetGuid());
        await reviewer.PostAsJsonAsync($"/api/approvals/{id}/decision", new { approve = true }, _cancel);
        var decision = await decided.Task.WaitAsync(_cancel);
        Assert.Equal((id, "approved"), (decision.GetProperty("id").GetGuid(), decision.GetProperty("status").GetString()));
        await call;
    }

    [Theory]
    [InlineData(null)]
    [InlineData(ShieldRoles.Auditor)]
    [InlineData(ShieldRoles.Admin)]
    public async Task OnlyReviewers_MayConnect(string? role)
    {
        string token = "not-a-token";
        if (role is not null)
        {
            var email = ShieldAppFactory.NewEmail("user");
            await _relay.App.CreateUserAsync(email, role);
            using var client = new HttpClient { BaseAddress = new Uri(_relay.Root) };
            token = (await ConsoleSignIn.LoginAsync(client, email, ShieldAppFactory.Password)).GetProperty("accessToken").GetString()!;
        }

        await using var hub = Connect(token);
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => hub.StartAsync(_cancel));

        Assert.Equal(role is null ? HttpStatusCode.Unauthorized : HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Theory]
    [InlineData(false)] // the reviewer role taken away
    [InlineData(true)] // the account disabled
    public async Task AReviewerWhoMayNoLongerReview_IsDisconnected_AsSoonAsTheChangeIsSaved(bool disable)
    {
        var email = ShieldAppFactory.NewEmail("reviewer");
        using var reviewer = await ApprovalFlowTests.ReviewerAsync(_relay, email);
        await using var hub = Connect(reviewer.DefaultRequestHeaders.Authorization!.Parameter!);
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };
        await hub.StartAsync(_cancel);
        await _relay.App.Services.GetRequiredService<ReviewerConnections>().CheckAsync();
        Assert.Equal(HubConnectionState.Connected, hub.State); // a reviewer's connection passes the check

        await using (var scope = _relay.App.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Shield.Console.Accounts.UserDirectory>();
            var id = (await users.ListAsync(_cancel)).Single(u => u.Email == email).Id;
            var change = disable ? new Shield.Console.Accounts.UpdateUserRequest(null, false, null) : new([ShieldRoles.Auditor], null, null);
            Assert.NotNull((await users.UpdateAsync(id, change, actorId: null)).Value);
        }

        // Nothing else is called and no clock moves: the change itself closes the connection, well before the next round.
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(15), _cancel);
    }

    private HubConnection Connect(string token) => new HubConnectionBuilder()
        .WithUrl(_relay.Root + ApprovalsHub.Path, options =>
        {
            options.AccessTokenProvider = () => Task.FromResult<string?>(token);
            options.Transports = HttpTransportType.WebSockets;
        })
        .Build();
}

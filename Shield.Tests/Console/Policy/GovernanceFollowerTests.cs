using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Microsoft.EntityFrameworkCore;
using Shield.Console.Agents;
using Shield.Console.Sessions;
using Shield.Core.Agents;
using Shield.Core.Cluster;
using Shield.Core.Governance;
using Shield.Core.Grants;
using Shield.Core.Persistence;
using Shield.Core.Policy;
using Shield.Core.Sessions;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Policy;

/// <summary>A change written by another Shield instance reaches this one within one look (<c>Shield:Cluster:PollInterval</c>).</summary>
public sealed class GovernanceFollowerTests
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    [Fact]
    public async Task AGrantAddedByAnotherInstance_IsFollowedWithinTheInterval()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));
        await using var app = new ShieldAppFactory { TestServices = services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(time)) };
        await using var upstream = await UpstreamServer.StartAsync();
        await app.ApprovedToolsAsync("crm", upstream, "lookup");
        await app.Services.GetRequiredService<AgentDirectory>().CreateAsync(new AgentInput("bot", null, null, [], true), Registrations.Admin, _cancel);
        var store = app.Services.GetRequiredService<PolicyStore>();
        var firstLook = Replaced(store, _ => true);
        time.Advance(new ClusterOptions().PollInterval);
        await firstLook.WaitAsync(TimeSpan.FromSeconds(30), _cancel);
        Assert.Equal(DecisionKind.Deny, store.Current.Decide("bot", "crm", "lookup").Kind);

        var followed = Replaced(store, s => s.Decide("bot", "crm", "lookup").Kind != DecisionKind.Deny);
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContextAsync(_cancel))
        {
            var grant = new Grant { SubjectKind = SubjectKind.Agent, Subject = "bot", Server = "crm", Tool = "lookup", Effect = GrantEffect.Allow, CreatedBy = "elsewhere" };
            db.Grants.Add(grant);
            db.GovernanceChanges.Add(GovernanceChange.By(Registrations.Admin, time.GetUtcNow().UtcDateTime, "grant", grant.Describe(), ChangeActions.Created));
            await db.SaveChangesAsync(_cancel);
        }

        Assert.Equal(DecisionKind.Deny, store.Current.Decide("bot", "crm", "lookup").Kind);
        time.Advance(new ClusterOptions().PollInterval);

        await followed.WaitAsync(TimeSpan.FromSeconds(30), _cancel);
    }

    [Fact]
    public async Task ASessionEndedByAnotherInstance_IsForgottenAtTheNextLook_SoItsOpenConnectionsClose()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));
        await using var app = new ShieldAppFactory { TestServices = services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(time)) };
        var firstLook = Replaced(app.Services.GetRequiredService<PolicyStore>(), _ => true);
        time.Advance(new ClusterOptions().PollInterval);
        await firstLook.WaitAsync(TimeSpan.FromSeconds(30), _cancel);
        var token = SecretToken.New(SecretToken.SessionPrefix);
        var now = time.GetUtcNow().UtcDateTime;
        var session = new AgentSession
        {
            AgentName = "bot", Task = "t", TokenSha256 = SecretToken.Hash(token), CreatedAtUtc = now, ExpiresAtUtc = now.AddHours(1), EndedAtUtc = now, EndedBy = "elsewhere",
        };
        var forgotten = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Services.GetRequiredService<SessionIssuer>().Stopped += hash => forgotten.TrySetResult(hash);
        await using (var db = app.OpenDatabase())
        {
            db.Sessions.Add(session);
            db.GovernanceChanges.Add(GovernanceChange.By(Registrations.Admin, now, "session", session.Id.ToString(), "revoked"));
            await db.SaveChangesAsync(_cancel);
        }

        time.Advance(new ClusterOptions().PollInterval);

        Assert.Equal(session.TokenSha256, await forgotten.Task.WaitAsync(TimeSpan.FromSeconds(30), _cancel));
        Assert.Null(await app.Services.GetRequiredService<SessionIssuer>().CheckAsync(token, _cancel));
    }

    private static Task Replaced(PolicyStore store, Func<PolicySnapshot, bool> when)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.Replaced += snapshot =>
        {
            if (when(snapshot))
            {
                seen.TrySetResult();
            }
        };
        return seen.Task;
    }
}

using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Agents;
using Shield.Console.Policy;
using Shield.Core.Persistence;
using Shield.Core.Policy;
using Shield.Core.Redaction;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Policy;

/// <summary>One refresh rebuilds everything decided from the database: the policy snapshot and the redactor.</summary>
public sealed class PolicyRefreshTests
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    [Fact]
    public async Task RulesStoredByAnyone_AreInTheCurrentRedactor_AfterTheRefresh()
    {
        await using var app = new ShieldAppFactory();
        var redactors = app.Services.GetRequiredService<RedactorStore>();
        const string arguments = """{"badge":"B-7","note":"ask EMP-123456"}""";
        Assert.Equal(arguments, Redact(redactors, arguments));
        await using (var db = await Db(app))
        {
            db.RedactionKeys.Add(new RedactionKeyRecord { Position = 0, Key = "badge" });
            db.RedactionPatterns.Add(new RedactionPatternRecord { Position = 0, Name = "employee-id", Regex = @"EMP-\d{6}" });
            await db.SaveChangesAsync(_cancel);
        }

        await app.Services.GetRequiredService<PolicyRefresh>().RefreshAsync(_cancel);

        Assert.Equal("""{"badge":"[REDACTED:secret]","note":"ask [REDACTED:employee-id]"}""", Redact(redactors, arguments));
    }

    [Fact]
    public async Task StoredRulesThatAreNotValid_KeepThePreviousRedactor_ButNeverHoldBackTheAccessPolicy()
    {
        await using var app = new ShieldAppFactory();
        var before = app.Services.GetRequiredService<RedactorStore>().Current;
        await using (var db = await Db(app))
        {
            db.RedactionPatterns.Add(new RedactionPatternRecord { Position = 0, Name = "broken", Regex = "(" });
            await db.SaveChangesAsync(_cancel);
        }

        // The agent is created and its refresh reports the rules it could not apply.
        await Assert.ThrowsAsync<ArgumentException>(() => app.Services.GetRequiredService<AgentDirectory>()
            .CreateAsync(new AgentInput("late-bot", null, null, [], true), Registrations.Admin, _cancel));

        Assert.True(app.Services.GetRequiredService<PolicyStore>().Current.IsAgentEnabled("late-bot"));
        Assert.Same(before, app.Services.GetRequiredService<RedactorStore>().Current);
    }

    private static string? Redact(RedactorStore store, string json) => store.Current.Redact(JsonDocument.Parse(json).RootElement);

    private async Task<ShieldDbContext> Db(ShieldAppFactory app) =>
        await app.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContextAsync(_cancel);
}

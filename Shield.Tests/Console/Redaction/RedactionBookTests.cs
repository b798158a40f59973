using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Common;
using Shield.Console.Redaction;
using Shield.Core.Auditing;
using Shield.Core.Governance;
using Shield.Core.Persistence;
using Shield.Core.Redaction;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Redaction;

/// <summary>The administrators' rules are replaced as one set, audited, and in force for the very next call.</summary>
public sealed class RedactionBookTests
{
    private static readonly RedactionRules Example = new(["patient"], [new RedactionPattern("employee-id", @"EMP-\d{6}")]);

    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Saving_StoresTheRulesInOrder_AndTheCurrentRedactorMasksWithThemAtOnce()
    {
        await using var app = new ShieldAppFactory();
        var book = app.Services.GetRequiredService<RedactionBook>();
        var rules = new RedactionRules(["ward", "patient"], [new RedactionPattern("z-first", "Z+"), new RedactionPattern("a-second", "A+")]);

        Assert.Null(await book.SaveAsync(RedactionRules.None, rules, Registrations.Admin, _cancel));

        Assert.Equal(rules, await book.LoadAsync(_cancel));
        var redacted = app.Services.GetRequiredService<RedactorStore>().Current.Redact(JsonDocument.Parse("""{"patientName":"Ada","note":"ZZ AA"}""").RootElement);
        Assert.Equal("""{"patientName":"[REDACTED:secret]","note":"[REDACTED:z-first] [REDACTED:a-second]"}""", redacted);
    }

    [Fact]
    public async Task AChange_IsInTheTrail_WithTheRulesBeforeAndAfter()
    {
        await using var app = new ShieldAppFactory();
        var book = app.Services.GetRequiredService<RedactionBook>();
        await book.SaveAsync(RedactionRules.None, Example, Registrations.Admin, _cancel);

        await book.SaveAsync(Example, Example with { Keys = [] }, Registrations.Admin, _cancel);

        await using var db = await app.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContextAsync(_cancel);
        var records = await db.AuditRecords.Where(r => r.Subject == RedactionBook.Subject).OrderBy(r => r.Sequence).ToListAsync(_cancel);
        Assert.Equal(2, records.Count);
        Assert.All(records, r => Assert.Equal((AuditEventTypes.Governance, ChangeActions.Updated, Registrations.Admin.Name), (r.EventType, r.Action, r.ActorName)));
        Assert.Equal("""{"keys":[],"patterns":[]}""", records[0].Before);
        Assert.Equal("""{"keys":["patient"],"patterns":[{"name":"employee-id","regex":"EMP-\\d{6}"}]}""", records[0].After);
        Assert.Equal("""{"keys":[],"patterns":[{"name":"employee-id","regex":"EMP-\\d{6}"}]}""", records[1].After);
    }

    [Fact]
    public async Task SavingTheRulesThereAre_RecordsNothing()
    {
        await using var app = new ShieldAppFactory();
        var book = app.Services.GetRequiredService<RedactionBook>();
        await book.SaveAsync(RedactionRules.None, Example, Registrations.Admin, _cancel);

        Assert.Null(await book.SaveAsync(Example, Example, Registrations.Admin, _cancel));

        await using var db = await app.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContextAsync(_cancel);
        Assert.Equal(1, await db.GovernanceChanges.CountAsync(c => c.Subject == RedactionBook.Subject, _cancel));
    }

    [Fact]
    public async Task InvalidRules_AreRefusedWithEveryProblemByPath_AndNothingChanges()
    {
        await using var app = new ShieldAppFactory();
        var book = app.Services.GetRequiredService<RedactionBook>();

        var refusal = await book.SaveAsync(RedactionRules.None, new RedactionRules(["token", "TOKEN"], [new RedactionPattern("Bad", "(")]), Registrations.Admin, _cancel);

        Assert.Equal(RefusalKind.Invalid, refusal!.Kind);
        Assert.Equal(["keys[1]", "patterns[0].name", "patterns[0].regex"], refusal.Errors!.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(RedactionRules.None, await book.LoadAsync(_cancel));
    }

    [Fact]
    public async Task SavingOverRulesSomeoneElseChanged_IsRefused_SoTheirChangeIsNotSilentlyUndone()
    {
        await using var app = new ShieldAppFactory();
        var book = app.Services.GetRequiredService<RedactionBook>();
        var opened = await book.LoadAsync(_cancel);
        await book.SaveAsync(opened, Example, Registrations.Admin, _cancel);

        var refusal = await book.SaveAsync(opened, new RedactionRules(["ward"], []), Registrations.Admin, _cancel);

        Assert.Equal(RefusalKind.Conflict, refusal!.Kind);
        Assert.Equal(Example, await book.LoadAsync(_cancel));
    }
}

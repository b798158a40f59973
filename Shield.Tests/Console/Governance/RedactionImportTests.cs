using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Governance;
using Shield.Console.Redaction;
using Shield.Core.Persistence;
using Shield.Core.Redaction;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Governance;

/// <summary>The <c>redaction</c> section: the whole set of administrators' rules, checked with the rest of the document.</summary>
public sealed class RedactionImportTests
{
    private const string Section = """{"keys":["token","password"],"patterns":[{"name":"employee-id","regex":"EMP-\\d{6}"},{"name":"badge","regex":"B-\\d+"}]}""";

    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheSection_IsInForceAtOnce_AndExportedExactlyAsWritten_SoReimportingChangesNothing()
    {
        await using var app = new ShieldAppFactory();
        var importer = app.Services.GetRequiredService<GovernanceImporter>();

        Assert.True((await importer.ImportAsync(Document(Section), Registrations.Admin, _cancel)).Applied);

        var redacted = app.Services.GetRequiredService<RedactorStore>().Current.Redact(JsonDocument.Parse("""{"who":"EMP-123456","door":"B-12"}""").RootElement);
        Assert.Equal("""{"who":"[REDACTED:employee-id]","door":"[REDACTED:badge]"}""", redacted);
        var exported = JsonSerializer.Serialize(await app.Services.GetRequiredService<GovernanceExporter>().ExportAsync(_cancel), GovernanceDocument.Json);
        Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(Section).RootElement, JsonDocument.Parse(exported).RootElement.GetProperty("redaction")), exported);

        Assert.True((await importer.ImportAsync(exported, Registrations.Admin, _cancel)).Applied);
        Assert.Equal(1, await RedactionChangesAsync(app));
    }

    [Fact]
    public async Task AShieldWithoutRules_ExportsEmptyLists()
    {
        await using var app = new ShieldAppFactory();

        var exported = await app.Services.GetRequiredService<GovernanceExporter>().ExportAsync(_cancel);

        Assert.Empty(exported.Redaction!.Keys!);
        Assert.Empty(exported.Redaction.Patterns!);
    }

    [Fact]
    public async Task ASection_IsTheWholeSet_AndWithoutOneTheRulesStay()
    {
        await using var app = new ShieldAppFactory();
        var book = app.Services.GetRequiredService<RedactionBook>();
        var importer = app.Services.GetRequiredService<GovernanceImporter>();
        var stored = new RedactionRules(["ward"], [new RedactionPattern("badge", "B-\\d+")]);
        await book.SaveAsync(RedactionRules.None, stored, Registrations.Admin, _cancel);

        await importer.ImportAsync("""{ "version": 1 }""", Registrations.Admin, _cancel);
        Assert.Equal(stored, await book.LoadAsync(_cancel));

        await importer.ImportAsync(Document("""{ "keys": ["patient"] }"""), Registrations.Admin, _cancel);
        Assert.Equal(new RedactionRules(["patient"], []), await book.LoadAsync(_cancel));

        await importer.ImportAsync(Document("{}"), Registrations.Admin, _cancel);
        Assert.Equal(RedactionRules.None, await book.LoadAsync(_cancel));
        Assert.Equal("""{"patient":"Ada"}""", app.Services.GetRequiredService<RedactorStore>().Current.Redact(JsonDocument.Parse("""{"patient":"Ada"}""").RootElement));
    }

    [Fact]
    public async Task EveryProblem_IsReportedWithItsPath_AlongsideTheOtherSections_AndNothingIsApplied()
    {
        await using var app = new ShieldAppFactory();
        const string document = """
            {
              "version": 1,
              "servers": [ { "name": "crm", "transport": "carrier-pigeon" } ],
              "redaction": {
                "keys": [ "", "token", "TOKEN" ],
                "patterns": [
                  { "name": "ok", "regex": "x+" },
                  { "name": "Bad Name" },
                  { "name": "ok", "regex": "EMP-(\\d{6}" }
                ]
              }
            }
            """;

        var result = await app.Services.GetRequiredService<GovernanceImporter>().ImportAsync(document, Registrations.Admin, _cancel);

        Assert.False(result.Applied);
        Assert.Equal(
            ["$.redaction.keys[0]", "$.redaction.keys[2]", "$.redaction.patterns[1].name", "$.redaction.patterns[1].regex", "$.redaction.patterns[2].name",
             "$.redaction.patterns[2].regex", "$.servers[0].transport", "$.servers[0].url"],
            result.Errors.Select(e => e.Path).Distinct());
        Assert.Contains("Not enough )'s", result.Errors.Single(e => e.Path == "$.redaction.patterns[2].regex").Message, StringComparison.Ordinal);
        Assert.Equal(RedactionRules.None, await app.Services.GetRequiredService<RedactionBook>().LoadAsync(_cancel));
    }

    [Theory]
    [InlineData("""{ "keys": [], "regexes": [] }""", "$.redaction.regexes")]
    [InlineData("""{ "patterns": [ { "name": "x", "regex": "y", "flags": "i" } ] }""", "$.redaction.patterns[0].flags")]
    [InlineData("""["password"]""", "$.redaction")]
    public void UnknownMembersAndWrongShapes_AreRefused_NamingWhere(string section, string path)
    {
        var (_, errors) = GovernanceReader.Read(Document(section));

        Assert.StartsWith(path, Assert.Single(errors).Path, StringComparison.Ordinal);
    }

    private static string Document(string redaction) => $$"""{ "version": 1, "redaction": {{redaction}} }""";

    private async Task<int> RedactionChangesAsync(ShieldAppFactory app)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContextAsync(_cancel);
        return await db.GovernanceChanges.CountAsync(c => c.Subject == RedactionBook.Subject, _cancel);
    }
}

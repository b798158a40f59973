using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Auditing;
using Shield.Core.Accounts;
using Shield.Core.Auditing;
using Shield.Core.Governance;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Auditing;

public abstract class AuditExportSuite(ShieldAppFactory app)
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    [Fact]
    public async Task AJsonLinesExport_MatchesItsManifest_AndAnyoneCanCheckIt_ButNotAfterAOneByteChange()
    {
        await RecordAsync(5);
        var client = await AuditorAsync();

        var response = await client.GetAsync("/api/audit/export?format=jsonl", _cancel);
        var body = await response.Content.ReadAsByteArrayAsync(_cancel);
        var manifestUrl = response.Headers.GetValues("Link").Single().Split(';')[0].Trim('<', '>');
        var manifest = await client.GetFromJsonAsync<JsonElement>(manifestUrl, _cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("application/x-ndjson", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        var through = long.Parse(response.Headers.GetValues(AuditApi.ThroughHeader).Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(through, manifest.GetProperty("through").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(body)), manifest.GetProperty("contentSha256").GetString());
        var lines = Encoding.UTF8.GetString(body).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(lines.Length, manifest.GetProperty("count").GetInt64());
        Assert.Equal(JsonDocument.Parse(lines[^1]).RootElement.GetProperty("hash").GetString(), manifest.GetProperty("lastHash").GetString());
        var valid = await client.PostAsJsonAsync("/api/audit/export/manifest/verify", manifest, _cancel);
        Assert.True((await valid.Content.ReadFromJsonAsync<JsonElement>(_cancel)).GetProperty("valid").GetBoolean());

        using var folder = new TempFolder();
        var export = Path.Combine(folder.Path, "export.jsonl");
        var manifestFile = Path.Combine(folder.Path, "manifest.json");
        await File.WriteAllBytesAsync(export, body, _cancel);
        await File.WriteAllTextAsync(manifestFile, manifest.GetRawText(), _cancel);
        var (exit, output) = await CheckAsync(export, manifestFile);
        Assert.True(exit == 0, output);
        Assert.Contains("every hash and link holds", output, StringComparison.Ordinal);

        // One byte: a digit of some record's duration.
        var text = Encoding.UTF8.GetString(body);
        var at = text.IndexOf("\"durationMicroseconds\":1", StringComparison.Ordinal) + "\"durationMicroseconds\":".Length;
        body[at] = (byte)'2';
        await File.WriteAllBytesAsync(export, body, _cancel);
        (exit, output) = await CheckAsync(export, manifestFile);
        Assert.Equal(1, exit);
        Assert.Contains("SHA-256", output, StringComparison.Ordinal);
        Assert.Contains("was altered", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAlteredManifest_LosesItsSignature()
    {
        var client = await AuditorAsync();
        var manifest = await client.GetFromJsonAsync<AuditExportManifest>("/api/audit/export/manifest?format=csv", AuditExportManifest.Json, _cancel);

        var forged = manifest! with { Count = manifest.Count + 1 };
        var response = await client.PostAsJsonAsync("/api/audit/export/manifest/verify", forged, AuditExportManifest.Json, _cancel);

        Assert.False((await response.Content.ReadFromJsonAsync<JsonElement>(_cancel)).GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task ACsvExport_IsCheckedAgainstItsOwnManifest_TheWayTheDocsSay()
    {
        var session = Guid.NewGuid();
        await RecordAsync(2, session);
        var client = await AuditorAsync();

        var response = await client.GetAsync($"/api/audit/export?format=csv&session={session}", _cancel);
        var body = await response.Content.ReadAsByteArrayAsync(_cancel);
        var manifest = await client.GetStringAsync(response.Headers.GetValues("Link").Single().Split(';')[0].Trim('<', '>'), _cancel);

        using var folder = new TempFolder();
        var export = Path.Combine(folder.Path, "audit.csv");
        var manifestFile = Path.Combine(folder.Path, "manifest.json");
        await File.WriteAllBytesAsync(export, body, _cancel);
        await File.WriteAllTextAsync(manifestFile, manifest, _cancel);
        var (exit, output) = await CheckAsync(export, manifestFile);
        Assert.True(exit == 0, output);
        Assert.Equal("csv", JsonDocument.Parse(manifest).RootElement.GetProperty("format").GetString());
    }

    [Fact]
    public async Task ACsvExport_HasAHeader_OneRowPerRecord_AndHonoursTheFilter()
    {
        var session = Guid.NewGuid();
        await RecordAsync(3, session);
        var client = await AuditorAsync();

        var response = await client.GetAsync($"/api/audit/export?format=csv&session={session}", _cancel);
        var body = await response.Content.ReadAsStringAsync(_cancel);
        var manifest = await client.GetFromJsonAsync<JsonElement>($"/api/audit/export/manifest?format=csv&session={session}&through={response.Headers.GetValues(AuditApi.ThroughHeader).Single()}", _cancel);

        // Rows end with CRLF (RFC 4180); the task's own line break stays inside its quoted field.
        var rows = body.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(string.Join(",", [.. AuditFields.Names, "hash", "seal"]), rows[0]);
        Assert.Equal(4, rows.Length);
        Assert.All(rows.Skip(1), row => Assert.Contains($"{session},", row, StringComparison.Ordinal));
        Assert.All(rows.Skip(1), row => Assert.Contains("\"quarterly \"\"close\"\" \u2014 r\u00e9sum\u00e9\nline two\"", row, StringComparison.Ordinal));
        Assert.Equal(3, manifest.GetProperty("count").GetInt64());
        Assert.Equal(session.ToString(), manifest.GetProperty("filter").GetProperty("session").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body))), manifest.GetProperty("contentSha256").GetString());
    }

    [Fact]
    public async Task ALargeCsvExport_StreamsWhole_AndEscapesFormulas()
    {
        var session = Guid.NewGuid();
        var writer = app.Services.GetRequiredService<AuditWriter>();
        await Task.WhenAll(Enumerable.Range(0, 400).Select(i => writer.AppendAsync(new AuditRecord
        {
            AtUtc = DateTime.UtcNow, EventType = AuditEventTypes.CallDenied, ActorKind = Actor.Agent, ActorId = "id", ActorName = "csv-bot",
            SessionId = session, Task = "=HYPERLINK(\"https://evil.example\",\"click\") " + new string('x', 300), Server = "files", Tool = "read",
        }, _cancel).AsTask()));
        var client = await AuditorAsync();

        var response = await client.GetAsync($"/api/audit/export?format=csv&session={session}", _cancel);
        var body = await response.Content.ReadAsStringAsync(_cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var rows = body.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(401, rows.Length);
        Assert.All(rows.Skip(1), row => Assert.Contains(",\"'=HYPERLINK(", row, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/api/audit/export?format=xml", "format")]
    [InlineData("/api/audit/export?format=csv&eventType=nope", "eventType")]
    [InlineData("/api/audit/records?traceId=xyz", "traceId")]
    [InlineData("/api/audit/records?from=2026-02-01&to=2026-01-01", "from")]
    public async Task BadParameters_AreA400_ThatNamesThem(string url, string parameter)
    {
        var client = await AuditorAsync();

        var response = await client.GetAsync(url, _cancel);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(_cancel);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(problem.GetProperty("errors").TryGetProperty(parameter, out _), problem.ToString());
    }

    [Fact]
    public async Task TheConsoleDownload_IsForAuditorsSignedIn_AndNotForReviewers()
    {
        var auditor = await app.CreateUserAsync(ShieldAppFactory.NewEmail("auditor"), ShieldRoles.Auditor);
        var reviewer = await app.CreateUserAsync(ShieldAppFactory.NewEmail("reviewer"), ShieldRoles.Reviewer);
        var auditorBrowser = await ConsoleSignIn.SignedInClientAsync(app, auditor.Email, ShieldAppFactory.Password);
        var reviewerBrowser = await ConsoleSignIn.SignedInClientAsync(app, reviewer.Email, ShieldAppFactory.Password);

        var download = await auditorBrowser.GetAsync("/audit/export?format=jsonl", _cancel);
        var refused = await reviewerBrowser.GetAsync("/audit/export?format=jsonl", _cancel);

        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Contains("attachment", download.Content.Headers.ContentDisposition!.DispositionType, StringComparison.Ordinal);
        Assert.NotEqual(HttpStatusCode.OK, refused.StatusCode);
    }

    [Fact]
    public async Task TheConsoleLinks_ForOneFormat_GiveAnExportAndTheManifestThatDescribesIt_EvenAfterNewRecords()
    {
        var session = Guid.NewGuid();
        await RecordAsync(2, session);
        var (through, _) = await app.Services.GetRequiredService<AuditExporter>().HeadAsync(_cancel);
        var auditor = await app.CreateUserAsync(ShieldAppFactory.NewEmail("auditor"), ShieldRoles.Auditor);
        var browser = await ConsoleSignIn.SignedInClientAsync(app, auditor.Email, ShieldAppFactory.Password);

        var body = await browser.GetByteArrayAsync($"/audit/export?format=csv&through={through}", _cancel);
        await RecordAsync(1, session);
        var manifest = await browser.GetFromJsonAsync<JsonElement>($"/audit/export/manifest?format=csv&through={through}", _cancel);

        Assert.Equal("csv", manifest.GetProperty("format").GetString());
        Assert.Equal(through, manifest.GetProperty("through").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(body)), manifest.GetProperty("contentSha256").GetString());
    }

    private async Task RecordAsync(int count, Guid? session = null)
    {
        var writer = app.Services.GetRequiredService<AuditWriter>();
        for (var i = 0; i < count; i++)
        {
            await writer.AppendAsync(new AuditRecord
            {
                AtUtc = DateTime.UtcNow,
                EventType = AuditEventTypes.CallCompleted,
                ActorKind = Actor.Agent,
                ActorId = "bot-id",
                ActorName = "export-bot",
                SessionId = session ?? Guid.NewGuid(),
                Task = "quarterly \"close\" \u2014 r\u00e9sum\u00e9\nline two",
                Server = "files",
                Tool = "read",
                Outcome = "ok",
                DurationMicroseconds = 1_000 + i,
            }, _cancel);
        }
    }

    private async Task<HttpClient> AuditorAsync()
    {
        var auditor = await app.CreateUserAsync(ShieldAppFactory.NewEmail("auditor"), ShieldRoles.Auditor);
        return await ConsoleSignIn.ApiClientAsync(app, auditor.Email, ShieldAppFactory.Password);
    }

    private async Task<(int Exit, string Output)> CheckAsync(string export, string manifest)
    {
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Repository.PathOf("tools", "verify-audit-export.py"), export, manifest })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(_cancel) + await process.StandardError.ReadToEndAsync(_cancel);
        await process.WaitForExitAsync(_cancel);
        return (process.ExitCode, output);
    }
}

public sealed class AuditExportTests(ShieldAppFactory app) : AuditExportSuite(app), IClassFixture<ShieldAppFactory>;

[Collection(PostgresCollection.Name)]
public sealed class AuditExportOnPostgresTests(ShieldAppOnPostgres postgres) : AuditExportSuite(postgres.App), IClassFixture<ShieldAppOnPostgres>;

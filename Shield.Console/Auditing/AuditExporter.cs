using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using Shield.Core.Auditing;
using Shield.Core.Persistence;

namespace Shield.Console.Auditing;

/// <summary>
/// Streams the trail as CSV or JSON Lines in constant memory (a page of records at a time, written as it is read),
/// oldest first, up to a fixed sequence so that the export and its manifest describe exactly the same records.
/// </summary>
public sealed class AuditExporter(IDbContextFactory<ShieldDbContext> contexts, AuditKeyring keyring, TimeProvider time)
{
    public const string Csv = "csv";
    public const string JsonLines = "jsonl";
    private const int PageSize = 2_000;

    public static bool IsFormat(string? format) => format is Csv or JsonLines;

    public static string ContentType(string format) => format == Csv ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8";

    /// <summary>The newest sequence now, and a time no later than when it was read: an export that starts now stops there.</summary>
    public async Task<(long Through, DateTime AtUtc)> HeadAsync(CancellationToken cancellationToken = default)
    {
        var at = time.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return (await db.AuditRecords.MaxAsync(r => (long?)r.Sequence, cancellationToken) ?? 0, at);
    }

    /// <summary>Writes the export to <paramref name="output"/> and returns its signed manifest.</summary>
    public async Task<AuditExportManifest> WriteAsync(Stream output, string format, AuditFilter filter, long through, CancellationToken cancellationToken = default)
    {
        // Bytes pass through to the output unchanged while their SHA-256 is computed.
        using var sha = SHA256.Create();
        await using var hashing = new CryptoStream(output, sha, CryptoStreamMode.Write, leaveOpen: true);
        await using var text = new StreamWriter(hashing, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 64 * 1024) { NewLine = "\n" };
        // CsvHelper writes synchronously, which the response stream refuses: each page goes to memory first. Fields an
        // agent wrote (task, reason...) that start like a spreadsheet formula are escaped.
        var csvPage = new StringWriter(CultureInfo.InvariantCulture);
        await using var csv = format == Csv ? CsvWriter.Create(csvPage, new CsvWriterOptions { Injection = CsvInjection.Escape }, leaveOpen: true) : null;
        csv?.WriteHeader([.. AuditFields.Names, "hash", "seal"]);

        long count = 0;
        AuditRecord? first = null;
        AuditRecord? last = null;
        var line = new StringBuilder(1024);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = filter.Apply(db.AuditRecords.AsNoTracking()).Where(r => r.Sequence <= through);
        var after = 0L;
        while (true)
        {
            var page = await query.Where(r => r.Sequence > after).OrderBy(r => r.Sequence).Take(PageSize).ToListAsync(cancellationToken);
            foreach (var record in page)
            {
                if (csv is not null)
                {
                    csv.WriteRecord([.. AuditFields.Values(record).Select(v => v ?? ""), record.Hash, record.Seal ?? ""]);
                }
                else
                {
                    line.Clear();
                    AuditChain.WriteJson(record, line);
                    await text.WriteAsync(line.Append('\n'), cancellationToken);
                }
            }

            count += page.Count;
            first ??= page.FirstOrDefault();
            last = page.Count > 0 ? page[^1] : last;
            if (csv is not null)
            {
                csv.Flush();
                await text.WriteAsync(csvPage.GetStringBuilder(), cancellationToken);
                csvPage.GetStringBuilder().Clear();
            }

            await text.FlushAsync(cancellationToken);
            if (page.Count < PageSize)
            {
                break;
            }

            after = page[^1].Sequence;
        }

        await hashing.FlushFinalBlockAsync(cancellationToken);
        var manifest = new AuditExportManifest
        {
            Format = format,
            Filter = filter.ToQuery().ToDictionary(p => p.Key, p => p.Value),
            Through = through,
            Count = count,
            FirstSequence = first?.Sequence,
            FirstPrevHash = first?.PrevHash,
            LastSequence = last?.Sequence,
            LastHash = last?.Hash,
            ContentSha256 = Convert.ToHexStringLower(sha.Hash!),
            GeneratedAtUtc = time.GetUtcNow().UtcDateTime,
            Complete = filter.ToQuery().Any() is false,
        };
        var (head, headAt) = await HeadAsync(cancellationToken);
        manifest = manifest with { TrailHead = head, TrailHeadAtUtc = headAt };
        return manifest.Signed(await keyring.ChainKeyAsync(cancellationToken));
    }

    /// <summary>The manifest of an export, computed by writing it to nowhere.</summary>
    public Task<AuditExportManifest> ManifestAsync(string format, AuditFilter filter, long through, CancellationToken cancellationToken = default) =>
        WriteAsync(Stream.Null, format, filter, through, cancellationToken);
}

using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Shield.Console.Common;
using Shield.Console.Policy;
using Shield.Core.Governance;
using Shield.Core.Persistence;
using Shield.Core.Redaction;

namespace Shield.Console.Redaction;

/// <summary>
/// The administrators' redaction rules, read and replaced as one set (from the Settings page or the governance
/// document). A save is checked first, recorded as one governance change holding the rules before and after, and
/// reaches the current redactor at once through the policy refresh.
/// </summary>
public sealed class RedactionBook(IDbContextFactory<ShieldDbContext> contexts, PolicyRefresh policy, TimeProvider time)
{
    /// <summary>The subject of the governance changes (and audit records) of the rules.</summary>
    public const string Subject = "redaction";

    private static readonly JsonSerializerOptions SnapshotJson = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public async Task<RedactionRules> LoadAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await ReadAsync(db, cancellationToken);
    }

    /// <summary>
    /// Replaces the rules with <paramref name="rules"/>, unless they are invalid or someone changed the stored rules
    /// since <paramref name="basis"/> was loaded (saving then would silently undo their change).
    /// </summary>
    public async Task<Refusal?> SaveAsync(RedactionRules basis, RedactionRules rules, Actor actor, CancellationToken cancellationToken = default)
    {
        if (RedactionRulesValidator.Validate(rules) is [_, ..] problems)
        {
            return new Refusal(RefusalKind.Invalid, string.Join(" ", problems.Select(p => p.Message)),
                problems.GroupBy(p => p.Path).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray()));
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await ReadAsync(db, cancellationToken) != basis)
        {
            return Refusal.Conflict("Someone else changed the redaction rules since you opened them. Reload to see their rules, then make your change again.");
        }

        if (await ReplaceAsync(db, rules, actor, time.GetUtcNow().UtcDateTime, cancellationToken))
        {
            await db.SaveChangesAsync(cancellationToken);
            await policy.RefreshAsync(CancellationToken.None);
        }

        return null;
    }

    internal static async Task<RedactionRules> ReadAsync(ShieldDbContext db, CancellationToken cancellationToken)
    {
        var keys = await db.RedactionKeys.AsNoTracking().OrderBy(k => k.Position).Select(k => k.Key).ToListAsync(cancellationToken);
        var patterns = await db.RedactionPatterns.AsNoTracking().OrderBy(p => p.Position).Select(p => new RedactionPattern(p.Name, p.Regex)).ToListAsync(cancellationToken);
        return new RedactionRules(keys, patterns);
    }

    /// <summary>
    /// Stages the replacement of the stored rules by valid <paramref name="rules"/> in <paramref name="db"/>, with its
    /// change record, for the caller to save. False when the stored rules are these already: nothing is staged.
    /// </summary>
    internal static async Task<bool> ReplaceAsync(ShieldDbContext db, RedactionRules rules, Actor actor, DateTime nowUtc, CancellationToken cancellationToken)
    {
        var keys = await db.RedactionKeys.OrderBy(k => k.Position).ToListAsync(cancellationToken);
        var patterns = await db.RedactionPatterns.OrderBy(p => p.Position).ToListAsync(cancellationToken);
        var before = new RedactionRules([.. keys.Select(k => k.Key)], [.. patterns.Select(p => new RedactionPattern(p.Name, p.Regex))]);
        if (before == rules)
        {
            return false;
        }

        db.RedactionKeys.RemoveRange(keys);
        db.RedactionPatterns.RemoveRange(patterns);
        db.RedactionKeys.AddRange(rules.Keys.Select((key, i) => new RedactionKeyRecord { Position = i, Key = key }));
        db.RedactionPatterns.AddRange(rules.Patterns.Select((pattern, i) => new RedactionPatternRecord { Position = i, Name = pattern.Name, Regex = pattern.Regex }));
        db.GovernanceChanges.Add(GovernanceChange.By(actor, nowUtc, Subject, "rules", ChangeActions.Updated, Snapshot(before), Snapshot(rules)));
        return true;
    }

    // The rules as the governance document writes them; patterns are not secrets, so the record holds them whole.
    private static string Snapshot(RedactionRules rules) =>
        JsonSerializer.Serialize(new { keys = rules.Keys, patterns = rules.Patterns.Select(p => new { name = p.Name, regex = p.Regex }) }, SnapshotJson);
}

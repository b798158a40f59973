using System.Text.Json;
using System.Text.RegularExpressions;
using Shield.Core.Accounts;
using Shield.Core.Auditing;
using Shield.Core.Governance;

namespace Shield.Console.Accounts;

/// <summary>
/// The audit records of one refused sign-in: the account named, the client address, the door (<c>console</c> or
/// <c>api</c>) and why it was refused; never the password. The account is named by its own email when it exists;
/// an unknown name is kept only when it has the shape of an email address, since people type their password into
/// the wrong field. Only auditors and administrators read these records; the person signing in is told none of it.
/// </summary>
internal sealed partial class SignInRecords(HttpContext context, string email, ShieldUser? account)
{
    public const string Withheld = "(not an email address: withheld)";

    private readonly Actor _actor = account is null
        ? new Actor(Actor.Person, "", email.Length <= 256 && EmailShape().IsMatch(email) ? email : Withheld)
        : new Actor(Actor.Person, account.Id, account.Email ?? account.Id);

    private string Client => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private string Via => context.Request.Path.StartsWithSegments("/api") ? "api" : "console";

    /// <param name="reason">Why, for an auditor.</param>
    /// <param name="state">The account: <c>unknown</c>, <c>enabled</c>, <c>disabled</c> or <c>locked</c>.</param>
    public AuditRecord Failed(string reason, string state) =>
        Record(AuditEventTypes.SignInFailed, reason, new { client = Client, via = Via, account = state });

    public AuditRecord LockedOut(DateTimeOffset? until) => Record(AuditEventTypes.SignInLockedOut,
        $"{PasswordPolicy.MaxFailedSignIns} failed sign-ins in a row locked the account for {PasswordPolicy.LockoutDuration.TotalMinutes:0} minutes.",
        new { client = Client, via = Via, lockedUntilUtc = until?.UtcDateTime }, "account", _actor.Name);

    public AuditRecord Throttled(string partition, int failures, TimeSpan window) => Record(AuditEventTypes.SignInThrottled,
        $"{failures} failed sign-ins from this client address within {window}: it is refused, before any password is checked, until they fall out of that window.",
        new { client = Client, via = Via }, "client", partition);

    private AuditRecord Record(string eventType, string reason, object after, string? subject = null, string? subjectKey = null) => new()
    {
        EventType = eventType,
        ActorKind = _actor.Kind,
        ActorId = _actor.Id,
        ActorName = _actor.Name,
        Subject = subject,
        SubjectKey = subjectKey,
        Outcome = "refused",
        Reason = reason,
        After = JsonSerializer.Serialize(after),
    };

    // An address with a domain of letters, digits and hyphens and a top-level domain of letters: what an account name is.
    [GeneratedRegex(@"^[^@\s]{1,64}@([A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex EmailShape();
}

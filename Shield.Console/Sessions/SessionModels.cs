namespace Shield.Console.Sessions;

/// <summary>Body of <c>POST /api/sessions</c>.</summary>
/// <param name="Tools">Tools as <c>&lt;server&gt;__&lt;tool&gt;</c>; absent for every tool the agent may use.</param>
/// <param name="TtlSeconds">Absent for <c>Shield:Sessions:DefaultTtl</c>; at most <c>MaxTtl</c>.</param>
public sealed record MintSessionRequest(string? Task, IReadOnlyList<string>? Tools, int? TtlSeconds);

/// <summary>A tool asked for but left out of the session, and why.</summary>
public sealed record RefusedTool(string Tool, string Reason);

/// <summary>
/// The answer of <c>POST /api/sessions</c>. The token is shown this once. Tools asked for but not granted are listed in
/// <see cref="Refused"/>, never dropped silently.
/// </summary>
public sealed record MintedSession(Guid Id, string Token, DateTime ExpiresAt, IReadOnlyList<string> Tools, IReadOnlyList<RefusedTool> Refused);

/// <summary>A session as the console lists it. Never its token.</summary>
public sealed record SessionView(Guid Id, string Agent, string Task, IReadOnlyList<string> Tools, DateTime CreatedAtUtc, DateTime ExpiresAtUtc, DateTime? EndedAtUtc, string? EndedBy);

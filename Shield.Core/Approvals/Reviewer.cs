namespace Shield.Core.Approvals;

/// <summary>The person deciding: their account id and the name (email) they sign in with.</summary>
public sealed record Reviewer(string Id, string Name);

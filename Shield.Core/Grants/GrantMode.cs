namespace Shield.Core.Grants;

/// <summary>Whether a grant decides calls, or is only watched: see docs/access-control.md#shadow-mode.</summary>
public enum GrantMode
{
    /// <summary>The grant decides calls.</summary>
    Enforce,

    /// <summary>
    /// The grant changes nothing that is enforced: every call whose decision it would have changed is recorded in the trail
    /// with what it would have come to (<c>would-allow</c>, <c>would-deny</c>, <c>would-ask</c>), next to the enforced decision.
    /// </summary>
    LogOnly,
}

/// <summary>The modes as written in the governance document and the API.</summary>
public static class GrantModes
{
    public const string Enforce = "enforce";
    public const string LogOnly = "log-only";

    public static string Name(GrantMode mode) => mode == GrantMode.LogOnly ? LogOnly : Enforce;

    /// <summary>The mode written as <paramref name="name"/>; null when it is neither.</summary>
    public static GrantMode? Parse(string? name) => name switch
    {
        Enforce => GrantMode.Enforce,
        LogOnly => GrantMode.LogOnly,
        _ => null,
    };
}

namespace Shield.Core.Grants;

/// <summary>What a grant does, weakest first: when several grants apply, the strongest decides.</summary>
public enum GrantEffect
{
    Allow,

    /// <summary>Allowed once a human approves the call.</summary>
    Approve,

    Deny,
}

namespace Shield.Core.Grants;

/// <summary>Who a grant is for: one agent, or every agent holding a role.</summary>
public enum SubjectKind
{
    Agent,
    Role,
}

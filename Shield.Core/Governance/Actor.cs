namespace Shield.Core.Governance;

/// <summary>Who made a change: a person, an agent, or Shield itself (discovery, import at start).</summary>
public sealed record Actor(string Kind, string Id, string Name)
{
    public const string Person = "person";
    public const string Agent = "agent";
    public const string System = "system";

    public static Actor Shield(string what) => new(System, what, $"Shield ({what})");
}

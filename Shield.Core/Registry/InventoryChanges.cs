namespace Shield.Core.Registry;

/// <summary>What one discovery changed in a server's inventory, tool names by kind of change.</summary>
public sealed class InventoryChanges
{
    /// <summary>New tools, waiting for review.</summary>
    public List<string> Added { get; } = [];

    /// <summary>Tools whose definition changed while not approved: they stay as they were in review.</summary>
    public List<string> Changed { get; } = [];

    /// <summary>Approved tools whose definition changed: no longer callable until approved again.</summary>
    public List<string> Quarantined { get; } = [];

    /// <summary>Tools the server no longer lists.</summary>
    public List<string> Removed { get; } = [];

    /// <summary>Removed tools listed again: back to review.</summary>
    public List<string> Returned { get; } = [];

    /// <summary>New tools a decision declared in the governance document applied to, and what it did.</summary>
    public List<(string Tool, string Action)> Decided { get; } = [];

    public int Unchanged { get; set; }

    /// <summary>New tool entities to add to the store.</summary>
    public List<RegisteredTool> NewTools { get; } = [];

    /// <summary>Definitions the tools now have, for the fingerprint history (the caller skips those already recorded).</summary>
    public List<ToolDefinitionRecord> NewDefinitions { get; } = [];

    public bool Any => Added.Count + Changed.Count + Quarantined.Count + Removed.Count + Returned.Count > 0;
}

using Shield.Console.Registry;

namespace Shield.Console.Components.Pages.Registry;

/// <summary>One header or environment variable being edited. A stored secret is never loaded: only that it exists.</summary>
public sealed class SettingRow
{
    public string Name { get; set; } = "";

    /// <summary>A new secret, an <c>${env:NAME}</c> reference, or empty to keep the stored secret.</summary>
    public string Value { get; set; } = "";

    public bool HasStoredSecret { get; init; }

    public static SettingRow From(SettingView stored) => new() { Name = stored.Name, Value = stored.Reference ?? "", HasStoredSecret = stored.HasSecret };

    public SettingInput ToInput() => new(Name.Trim(), Value);
}

using MudBlazor;

namespace Shield.Console.Components.Layout;

/// <summary>The console's colours, light and dark.</summary>
internal static class ShieldTheme
{
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1f4e79",
            Secondary = "#5c6b7a",
            AppbarBackground = "#14324f",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#7fb3e6",
            Secondary = "#9aa7b4",
            AppbarBackground = "#0e1c2b",
        },
    };
}

using System.Globalization;

namespace Shield.Core.Text;

/// <summary>A count with its noun, which is singular for one: "1 agent", "3 agents", "2 discoveries".</summary>
public static class Counted
{
    public static string Of(long count, string singular, string? plural = null) =>
        $"{count.ToString("N0", CultureInfo.InvariantCulture)} {(count == 1 ? singular : plural ?? singular + "s")}";
}

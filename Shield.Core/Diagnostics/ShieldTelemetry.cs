using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Shield.Core.Diagnostics;

/// <summary>The names under which Shield emits traces and metrics.</summary>
public static class ShieldTelemetry
{
    public const string Name = "Shield";
    public const string PersistenceName = "Shield.Persistence";

    public static ActivitySource ActivitySource { get; } = new(Name);

    public static Meter Meter { get; } = new(Name);
}

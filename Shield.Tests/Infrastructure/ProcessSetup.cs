using System.Runtime.CompilerServices;
using Shield.Console.Hosting;

namespace Shield.Tests.Infrastructure;

/// <summary>What Shield's own program sets up before anything else, set up as early in the test process.</summary>
internal static class ProcessSetup
{
    [ModuleInitializer]
    internal static void Initialize() => RegexTimeout.Apply();
}

namespace Shield.Tests.Infrastructure;

/// <summary>A temporary folder that outlives several app instances (a restart) and is removed at the end.</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("shield-tests-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Never fail a test over cleanup.
        }
    }
}

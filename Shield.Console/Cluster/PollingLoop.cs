namespace Shield.Console.Cluster;

/// <summary>
/// A look at the database that comes round every interval and at once when woken (a signal from another instance): the
/// clock and the signals wake the same loop, never two looks at a time, and a look already due takes whatever woke it
/// meanwhile.
/// </summary>
/// <param name="lookAtOnce">Whether the first look runs at once rather than one interval after the start.</param>
public sealed class PollingLoop(TimeProvider time, TimeSpan interval, bool lookAtOnce)
{
    private readonly SemaphoreSlim _due = new(lookAtOnce ? 1 : 0, 1);

    public void Wake()
    {
        try
        {
            _due.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already due: that look reads the latest state anyway.
        }
    }

    /// <summary>Runs <paramref name="look"/> until stopped; a look that fails is reported and tried again at the next.</summary>
    public async Task RunAsync(Func<CancellationToken, Task> look, Action<Exception> failed, CancellationToken stoppingToken)
    {
        await using var ticks = time.CreateTimer(_ => Wake(), null, interval, interval);
        while (!stoppingToken.IsCancellationRequested)
        {
            await _due.WaitAsync(stoppingToken);
            try
            {
                await look(stoppingToken);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                failed(error);
            }
        }
    }
}

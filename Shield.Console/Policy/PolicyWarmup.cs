namespace Shield.Console.Policy;

/// <summary>
/// Builds the first policy snapshot and redactor at start, before Shield answers anyone; until then everything is denied.
/// </summary>
internal sealed class PolicyWarmup(PolicyRefresh refresh) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => refresh.RefreshAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

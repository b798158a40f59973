using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Approvals;

namespace Shield.Tests.Infrastructure;

/// <summary>Watches the console's approval feed, so a test awaits the moment a request is queued or decided.</summary>
public sealed class ApprovalWatch : IDisposable
{
    private readonly Channel<ApprovalEvent> _events = Channel.CreateUnbounded<ApprovalEvent>();
    private readonly IDisposable _subscription;

    public ApprovalWatch(ShieldAppFactory app) =>
        _subscription = app.Services.GetRequiredService<ApprovalFeed>().Subscribe(e => _events.Writer.WriteAsync(e).AsTask());

    /// <summary>The next event of this kind (earlier events of other kinds are skipped).</summary>
    public async Task<ApprovalView> NextAsync(ApprovalEventKind kind)
    {
        while (true)
        {
            var change = await _events.Reader.ReadAsync(TestContext.Current.CancellationToken);
            if (change.Kind == kind)
            {
                return change.View;
            }
        }
    }

    public void Dispose() => _subscription.Dispose();
}

using Shield.Core.Cluster;

namespace Shield.Console.Cluster;

/// <summary>
/// A job that runs on one instance of the cluster at a time (scheduled discovery, audit retention, approval expiry).
/// Before each round, and between the pieces of a long one, the instance takes or renews the job's lease; while another
/// instance holds it, this one leaves the round. A lease lasts one and a half rounds: its holder keeps it while it
/// lives, and when it dies another instance takes the job over within two rounds. Stopping gives the lease up, so
/// another instance takes over at its next round. Made by <see cref="ClusterJobs"/>.
/// </summary>
public sealed partial class ClusterJob(ClusterLeases leases, string name, TimeSpan interval, ILogger logger)
{
    private bool _held;

    /// <summary>The lease's name, e.g. <c>audit-retention</c>.</summary>
    public string Name => name;

    /// <summary>Whether this instance runs the job now; false while another instance holds it, or the database cannot say.</summary>
    public async Task<bool> HoldAsync(CancellationToken cancellationToken)
    {
        bool held;
        try
        {
            held = await leases.TryHoldAsync(name, interval * 1.5, cancellationToken);
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogLeaseUnknown(logger, error, name);
            held = false;
        }

        if (held && !_held)
        {
            LogTaken(logger, leases.Holder, name);
        }
        else if (!held && _held)
        {
            LogLeft(logger, leases.Holder, name);
        }
        else if (!held)
        {
            LogRoundLeft(logger, leases.Holder, name);
        }

        _held = held;
        return held;
    }

    /// <summary>Gives the lease up as the instance stops.</summary>
    public async Task ReleaseAsync()
    {
        if (!_held)
        {
            return;
        }

        _held = false;
        try
        {
            await leases.ReleaseAsync(name);
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            LogReleaseFailed(logger, error, name);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Instance {Instance} runs the job {Job} for the cluster now (it holds the job's lease).")]
    private static partial void LogTaken(ILogger logger, string instance, string job);

    [LoggerMessage(Level = LogLevel.Information, Message = "Instance {Instance} no longer runs the job {Job}: another instance holds its lease.")]
    private static partial void LogLeft(ILogger logger, string instance, string job);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Instance {Instance} leaves this round of the job {Job} to the instance that holds its lease.")]
    private static partial void LogRoundLeft(ILogger logger, string instance, string job);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The lease of the job {Job} could not be taken or renewed (database unreachable?); the round is left and tried again at the next.")]
    private static partial void LogLeaseUnknown(ILogger logger, Exception error, string job);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The lease of the job {Job} could not be given up; another instance takes the job over once it lapses.")]
    private static partial void LogReleaseFailed(ILogger logger, Exception error, string job);
}

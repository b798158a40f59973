using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Shield.Core.Diagnostics;

/// <summary>
/// Emits one span per database command on <see cref="ShieldTelemetry.PersistenceName"/>, for every provider.
/// Costs nothing when no tracer listens.
/// </summary>
internal sealed class DbCommandTracingInterceptor(string dbSystem) : DbCommandInterceptor
{
    private static readonly ActivitySource Source = new(ShieldTelemetry.PersistenceName);

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
        => Start(command, result);

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        => new(Start(command, result));

    public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
        => Stop(command, result);

    public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
        => new(Stop(command, result));

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
        => Start(command, result);

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        => new(Start(command, result));

    public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
        => Stop(command, result);

    public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
        => new(Stop(command, result));

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
        => Start(command, result);

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
        => new(Start(command, result));

    public override object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
        => Stop(command, result);

    public override ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default)
        => new(Stop(command, result));

    public override void CommandFailed(DbCommand command, CommandErrorEventData eventData)
        => Fail(command, eventData.Exception);

    public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Fail(command, eventData.Exception);
        return Task.CompletedTask;
    }

    public override void CommandCanceled(DbCommand command, CommandEndEventData eventData)
        => Fail(command, new OperationCanceledException("The database command was canceled."));

    public override Task CommandCanceledAsync(DbCommand command, CommandEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Fail(command, new OperationCanceledException("The database command was canceled."));
        return Task.CompletedTask;
    }

    private T Start<T>(DbCommand command, T result)
    {
        var activity = Source.StartActivity(dbSystem, ActivityKind.Client);
        if (activity is not null)
        {
            activity.SetTag("db.system.name", dbSystem);
            activity.SetTag("db.query.text", command.CommandText);
            activity.SetCustomProperty(nameof(DbCommand), command);
        }

        return result;
    }

    private static T Stop<T>(DbCommand command, T result)
    {
        Current(command)?.Stop();
        return result;
    }

    private static void Fail(DbCommand command, Exception exception)
    {
        if (Current(command) is { } activity)
        {
            activity.SetStatus(ActivityStatusCode.Error, exception.Message);
            activity.AddTag("error.type", exception.GetType().FullName);
            activity.Stop();
        }
    }

    private static Activity? Current(DbCommand command) =>
        Activity.Current is { } activity && ReferenceEquals(activity.GetCustomProperty(nameof(DbCommand)), command) ? activity : null;
}

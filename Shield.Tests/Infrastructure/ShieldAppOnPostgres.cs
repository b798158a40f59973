namespace Shield.Tests.Infrastructure;

/// <summary>A class fixture: one console on a PostgreSQL database of its own, for the tests of a class that share it.</summary>
public sealed class ShieldAppOnPostgres(PostgresServer server) : IAsyncDisposable
{
    public ShieldAppFactory App { get; } = new() { Postgres = server };

    public ValueTask DisposeAsync() => App.DisposeAsync();
}

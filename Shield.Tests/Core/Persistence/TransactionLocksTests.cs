using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Shield.Core.Persistence;
using Shield.Core.Persistence.SqlServer;

namespace Shield.Tests.Core.Persistence;

/// <summary>
/// The lock that keeps instances from chaining after the same head. PostgreSQL's is taken against a real server in
/// AuditWriterOnPostgresTests; no SQL Server engine runs here, so this checks what Shield sends it: an application
/// lock owned by the transaction, by name, that fails the transaction when it is not granted.
/// </summary>
public sealed class TransactionLocksTests
{
    [Fact]
    public async Task OnSqlServer_TheLockIsAnApplicationLockOwnedByTheTransaction_AndNotGrantedIsAnError()
    {
        var sent = new CapturedCommands();
        var options = new DbContextOptionsBuilder<SqlServerShieldDbContext>()
            .UseSqlServer("Server=127.0.0.1,1;Database=Shield;Connect Timeout=1")
            .AddInterceptors(sent).Options;
        await using var db = new SqlServerShieldDbContext(options);

        await TransactionLocks.TakeAsync(db.Database, "shield-audit-chain", TestContext.Current.CancellationToken);

        var command = Assert.Single(sent.Commands);
        Assert.Contains("sp_getapplock @Resource = @p0, @LockMode = 'Exclusive', @LockOwner = 'Transaction'", command.Text, StringComparison.Ordinal);
        Assert.Contains("IF @granted < 0 THROW", command.Text, StringComparison.Ordinal);
        Assert.Equal("shield-audit-chain", command.Name);
    }

    // Nothing reaches a server: opening and executing are both answered here.
    private sealed class CapturedCommands : DbConnectionInterceptor, IDbCommandInterceptor
    {
        public List<(string Text, object? Name)> Commands { get; } = [];

        public override ValueTask<InterceptionResult> ConnectionOpeningAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(InterceptionResult.Suppress());

        public ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Commands.Add((command.CommandText, command.Parameters[0].Value));
            return ValueTask.FromResult(InterceptionResult<int>.SuppressWithResult(-1));
        }
    }
}

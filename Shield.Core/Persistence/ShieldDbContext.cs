using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Shield.Core.Accounts;
using Shield.Core.Approvals;
using Shield.Core.Auditing;
using Shield.Core.Cluster;
using Shield.Core.Agents;
using Shield.Core.Grants;
using Shield.Core.Sessions;
using Shield.Core.Governance;
using Shield.Core.Redaction;
using Shield.Core.Registry;
using Shield.Core.Siem;

namespace Shield.Core.Persistence;

/// <summary>
/// Everything Shield stores. Each database provider has a derived context with its own migrations
/// (<see cref="Sqlite.SqliteShieldDbContext"/>, <see cref="SqlServer.SqlServerShieldDbContext"/>); the rest of
/// the code only ever sees this type.
/// </summary>
/// <remarks>
/// ASP.NET Core Identity shapes its tables from the application's <see cref="StoreOptions"/>, so every
/// place that builds this model (the console, the tests, <c>dotnet ef</c>) applies <see cref="PinIdentitySchema"/>.
/// </remarks>
public abstract class ShieldDbContext(DbContextOptions options) : IdentityDbContext<ShieldUser>(options)
{
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<RefreshTokenFamily> RefreshTokenFamilies => Set<RefreshTokenFamily>();

    public DbSet<RegisteredServer> Servers => Set<RegisteredServer>();

    public DbSet<RegisteredTool> Tools => Set<RegisteredTool>();

    public DbSet<ToolDefinitionRecord> ToolDefinitions => Set<ToolDefinitionRecord>();

    public DbSet<ToolDecision> ToolDecisions => Set<ToolDecision>();

    public DbSet<GovernanceChange> GovernanceChanges => Set<GovernanceChange>();

    public DbSet<Agent> Agents => Set<Agent>();

    public DbSet<Grant> Grants => Set<Grant>();

    public DbSet<AgentSession> Sessions => Set<AgentSession>();

    public DbSet<ApprovalRequest> ApprovalRequests => Set<ApprovalRequest>();

    public DbSet<RedactionKeyRecord> RedactionKeys => Set<RedactionKeyRecord>();

    public DbSet<RedactionPatternRecord> RedactionPatterns => Set<RedactionPatternRecord>();

    public DbSet<AuditRecord> AuditRecords => Set<AuditRecord>();

    public DbSet<AuditCheckpoint> AuditCheckpoints => Set<AuditCheckpoint>();

    public DbSet<AuditKey> AuditKeys => Set<AuditKey>();

    public DbSet<AuditVerificationResult> AuditVerifications => Set<AuditVerificationResult>();

    public DbSet<Lease> Leases => Set<Lease>();

    public DbSet<SiemCursor> SiemCursors => Set<SiemCursor>();

    /// <summary>Fixes the Identity schema version and key length the migrations were made with.</summary>
    public static void PinIdentitySchema(StoreOptions stores)
    {
        stores.SchemaVersion = IdentitySchemaVersions.Version3;
        stores.MaxLengthForKeys = 128;
        stores.ProtectPersonalData = false;
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        StampVersions();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        StampVersions();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    // Every save of a tool changes its version; a concurrent save based on the old version then fails instead of winning.
    private void StampVersions()
    {
        foreach (var entry in ChangeTracker.Entries<RegisteredTool>().Where(e => e.State == EntityState.Modified))
        {
            entry.Entity.Version = Guid.NewGuid();
        }

        foreach (var entry in ChangeTracker.Entries<ApprovalRequest>().Where(e => e.State == EntityState.Modified))
        {
            entry.Entity.Version = Guid.NewGuid();
        }
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Conventions.Add(services => new DelimitedIndexFilters(services.GetRequiredService<ISqlGenerationHelper>()));
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(ShieldDbContext).Assembly);
    }
}

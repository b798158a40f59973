using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Shield.Core.Auditing;

internal sealed class AuditRecordConfiguration : IEntityTypeConfiguration<AuditRecord>
{
    public void Configure(EntityTypeBuilder<AuditRecord> builder)
    {
        builder.ToTable("AuditRecords");
        builder.HasKey(r => r.Sequence);
        builder.Property(r => r.Sequence).ValueGeneratedNever();
        // Every index costs each insert: only the filters that would otherwise scan millions of records get one, and
        // columns that are often empty get partial indexes. Event type and outcome filters walk the sequence instead.
        // Trace ids are random, one per call: an index on them cost 40% of the writer's throughput, so a trace id
        // search scans (docs/BENCHMARKS.md).
        builder.HasIndex(r => r.AtUtc);
        builder.HasIndex(r => new { r.ActorName, r.Sequence });
        builder.HasIndex(r => new { r.SessionId, r.Sequence }).HasFilter("[SessionId] IS NOT NULL");
        builder.HasIndex(r => new { r.Server, r.Tool, r.Sequence }).HasFilter("[Server] IS NOT NULL");
        // Unique: two Shield instances on one database can never both chain the same change.
        builder.HasIndex(r => r.GovernanceChangeId).IsUnique().HasFilter("[GovernanceChangeId] IS NOT NULL");
        foreach (var field in AuditFields.All.Where(f => f.MaxLength is not null))
        {
            builder.Property(field.Property).HasMaxLength(field.MaxLength!.Value);
        }

        // The trail's own events (sealing, tampering found, gaps, pruning) are few: verification finds them at once.
        builder.HasIndex(r => new { r.EventType, r.Sequence }).HasFilter(
            $"[EventType] IN ({string.Join(", ", AuditEventTypes.Trail.Select(t => $"'{t}'"))})");
        builder.Property(r => r.Hash).HasMaxLength(AuditFields.HashLength);
        builder.Property(r => r.Seal).HasMaxLength(AuditFields.HashLength);
    }
}

internal sealed class AuditCheckpointConfiguration : IEntityTypeConfiguration<AuditCheckpoint>
{
    public void Configure(EntityTypeBuilder<AuditCheckpoint> builder)
    {
        builder.ToTable("AuditCheckpoints");
        builder.HasKey(c => c.Id);
        builder.HasIndex(c => c.Sequence);
        builder.Property(c => c.Hash).HasMaxLength(64);
        builder.Property(c => c.Signature).HasMaxLength(64);
    }
}

internal sealed class AuditKeyConfiguration : IEntityTypeConfiguration<AuditKey>
{
    public void Configure(EntityTypeBuilder<AuditKey> builder)
    {
        builder.ToTable("AuditKeys");
        builder.HasKey(k => k.Id);
        builder.Property(k => k.Id).ValueGeneratedNever();
    }
}

internal sealed class AuditVerificationResultConfiguration : IEntityTypeConfiguration<AuditVerificationResult>
{
    public void Configure(EntityTypeBuilder<AuditVerificationResult> builder)
    {
        builder.ToTable("AuditVerifications");
        builder.HasKey(v => v.Id);
        builder.HasIndex(v => v.AtUtc);
        builder.Property(v => v.Problem).HasMaxLength(1000);
        builder.Property(v => v.By).HasMaxLength(256);
    }
}

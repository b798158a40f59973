using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Shield.Core.Governance;

internal sealed class GovernanceChangeConfiguration : IEntityTypeConfiguration<GovernanceChange>
{
    public void Configure(EntityTypeBuilder<GovernanceChange> builder)
    {
        builder.ToTable("GovernanceChanges");
        builder.HasKey(c => c.Id);
        builder.HasIndex(c => c.AtUtc);
        builder.HasIndex(c => new { c.Subject, c.SubjectKey });
        builder.Property(c => c.ActorKind).HasMaxLength(16);
        builder.Property(c => c.ActorId).HasMaxLength(256);
        builder.Property(c => c.ActorName).HasMaxLength(256);
        builder.Property(c => c.Subject).HasMaxLength(32);
        builder.Property(c => c.SubjectKey).HasMaxLength(256);
        builder.Property(c => c.Action).HasMaxLength(32);
    }
}

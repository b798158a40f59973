using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Shield.Core.Registry;

internal sealed class ToolDecisionConfiguration : IEntityTypeConfiguration<ToolDecision>
{
    public void Configure(EntityTypeBuilder<ToolDecision> builder)
    {
        builder.ToTable("ToolDecisions");
        builder.HasKey(d => d.Id);
        builder.HasIndex(d => new { d.ServerName, d.ToolName }).IsUnique();
        builder.Property(d => d.ServerName).HasMaxLength(ServerName.MaxLength);
        builder.Property(d => d.ToolName).HasMaxLength(ToolLimits.MaxNameLength);
        builder.Property(d => d.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(d => d.Risk).HasConversion<string>().HasMaxLength(16);
        builder.Property(d => d.Fingerprint).HasMaxLength(80);
        builder.Property(d => d.DeclaredBy).HasMaxLength(256);
        builder.Property(d => d.DeclaredByKind).HasMaxLength(16);
        builder.Property(d => d.DeclaredById).HasMaxLength(256);
        builder.Ignore(d => d.Declarer);
    }
}

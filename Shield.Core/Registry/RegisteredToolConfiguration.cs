using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Shield.Core.Registry;

internal sealed class RegisteredToolConfiguration : IEntityTypeConfiguration<RegisteredTool>
{
    public void Configure(EntityTypeBuilder<RegisteredTool> builder)
    {
        builder.ToTable("Tools");
        builder.HasKey(t => t.Id);
        builder.HasIndex(t => new { t.ServerId, t.Name }).IsUnique();
        builder.HasIndex(t => t.State);
        builder.Property(t => t.Name).HasMaxLength(ToolLimits.MaxNameLength);
        builder.Property(t => t.Title).HasMaxLength(ToolLimits.MaxTitleLength);
        builder.Property(t => t.Fingerprint).HasMaxLength(80);
        builder.Property(t => t.ApprovedFingerprint).HasMaxLength(80);
        builder.Property(t => t.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(t => t.Risk).HasConversion<string>().HasMaxLength(16);
        builder.Property(t => t.SuggestedRisk).HasConversion<string>().HasMaxLength(16);
        builder.Property(t => t.ReviewedBy).HasMaxLength(256);
        builder.Ignore(t => t.IsCallable);
        builder.Property(t => t.Version).IsConcurrencyToken();
        builder.HasMany<ToolDefinitionRecord>().WithOne().HasForeignKey(d => d.ToolId).OnDelete(DeleteBehavior.Cascade);
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Shield.Core.Registry;

internal sealed class ToolDefinitionRecordConfiguration : IEntityTypeConfiguration<ToolDefinitionRecord>
{
    public void Configure(EntityTypeBuilder<ToolDefinitionRecord> builder)
    {
        builder.ToTable("ToolDefinitions");
        builder.HasKey(d => d.Id);
        builder.HasIndex(d => new { d.ToolId, d.Fingerprint }).IsUnique();
        builder.Property(d => d.Fingerprint).HasMaxLength(80);
    }
}

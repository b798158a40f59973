using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Shield.Core.Conditions;
using Shield.Core.Registry;

namespace Shield.Core.Grants;

internal sealed class GrantConfiguration : IEntityTypeConfiguration<Grant>
{
    public void Configure(EntityTypeBuilder<Grant> builder)
    {
        builder.ToTable("Grants");
        builder.HasKey(g => g.Id);
        // One enforced and one log-only grant per subject and target: a rule can be watched next to the one it would join.
        builder.HasIndex(g => new { g.SubjectKind, g.Subject, g.Server, g.Tool, g.Mode }).IsUnique();
        builder.Property(g => g.SubjectKind).HasConversion<string>().HasMaxLength(8);
        builder.Property(g => g.Subject).HasMaxLength(ServerName.MaxLength);
        builder.Property(g => g.Server).HasMaxLength(ServerName.MaxLength);
        builder.Property(g => g.Tool).HasMaxLength(ToolLimits.MaxNameLength);
        builder.Property(g => g.Effect).HasConversion<string>().HasMaxLength(8);
        builder.Property(g => g.Mode).HasConversion<string>().HasMaxLength(8);
        builder.Property(g => g.CreatedBy).HasMaxLength(256);
        builder.Property(g => g.When).HasMaxLength(ConditionParser.MaxLength);
    }
}

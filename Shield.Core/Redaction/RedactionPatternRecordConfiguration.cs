using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Shield.Core.Redaction;

// Names are unique by the validator; the whole set is replaced at once, so an index could only get in the way of a
// save that swaps two names.
internal sealed class RedactionPatternRecordConfiguration : IEntityTypeConfiguration<RedactionPatternRecord>
{
    public void Configure(EntityTypeBuilder<RedactionPatternRecord> builder)
    {
        builder.ToTable("RedactionPatterns");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Name).HasMaxLength(RedactionRules.MaxNameLength);
        builder.Property(p => p.Regex).HasMaxLength(RedactionRules.MaxRegexLength);
    }
}

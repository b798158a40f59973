using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Shield.Core.Redaction;

// No unique index on the key: keys are unique by their letters and digits in any case, which only the validator can
// tell, and the whole set is replaced at once.
internal sealed class RedactionKeyRecordConfiguration : IEntityTypeConfiguration<RedactionKeyRecord>
{
    public void Configure(EntityTypeBuilder<RedactionKeyRecord> builder)
    {
        builder.ToTable("RedactionKeys");
        builder.HasKey(k => k.Id);
        builder.Property(k => k.Key).HasMaxLength(RedactionRules.MaxKeyLength);
    }
}

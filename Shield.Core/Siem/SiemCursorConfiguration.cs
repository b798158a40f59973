using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Shield.Core.Siem;

internal sealed class SiemCursorConfiguration : IEntityTypeConfiguration<SiemCursor>
{
    public void Configure(EntityTypeBuilder<SiemCursor> builder)
    {
        builder.ToTable("SiemCursors");
        builder.HasKey(c => c.Name);
        builder.Property(c => c.Name).HasMaxLength(SiemCursor.MaxNameLength);
    }
}

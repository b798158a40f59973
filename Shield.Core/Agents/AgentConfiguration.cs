using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Shield.Core.Registry;

namespace Shield.Core.Agents;

internal sealed class AgentConfiguration : IEntityTypeConfiguration<Agent>
{
    public void Configure(EntityTypeBuilder<Agent> builder)
    {
        builder.ToTable("Agents");
        builder.HasKey(a => a.Id);
        builder.HasIndex(a => a.Name).IsUnique();
        builder.HasIndex(a => a.KeySha256).IsUnique();
        builder.HasIndex(a => a.EntraClientId).IsUnique();
        builder.Property(a => a.Name).HasMaxLength(ServerName.MaxLength);
        builder.Property(a => a.Description).HasMaxLength(2000);
        builder.Property(a => a.Owner).HasMaxLength(200);
        builder.Property(a => a.KeySha256).HasMaxLength(64);
        builder.Property(a => a.EntraClientId).HasMaxLength(64);
        builder.Property(a => a.CreatedBy).HasMaxLength(256);
        builder.Property(a => a.UpdatedBy).HasMaxLength(256);
    }
}

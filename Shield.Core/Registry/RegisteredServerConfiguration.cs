using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Shield.Core.Registry;

internal sealed class RegisteredServerConfiguration : IEntityTypeConfiguration<RegisteredServer>
{
    public void Configure(EntityTypeBuilder<RegisteredServer> builder)
    {
        builder.ToTable("Servers");
        builder.HasKey(s => s.Id);
        builder.HasIndex(s => s.Name).IsUnique();
        builder.Property(s => s.Name).HasMaxLength(ServerName.MaxLength);
        builder.Property(s => s.DisplayName).HasMaxLength(200);
        builder.Property(s => s.Description).HasMaxLength(2000);
        builder.Property(s => s.Owner).HasMaxLength(200);
        builder.Property(s => s.Transport).HasConversion<string>().HasMaxLength(16);
        builder.Property(s => s.Url).HasMaxLength(2048);
        builder.Property(s => s.Command).HasMaxLength(1024);
        builder.Property(s => s.CreatedBy).HasMaxLength(256);
        builder.Property(s => s.UpdatedBy).HasMaxLength(256);
        builder.Property(s => s.LastDiscoveryError).HasMaxLength(4000);
        builder.Property(s => s.ProtocolRevision).HasMaxLength(32);
        builder.OwnsMany(s => s.Headers, headers => headers.ToJson());
        builder.OwnsMany(s => s.Environment, environment => environment.ToJson());
        builder.HasMany(s => s.Tools).WithOne(t => t.Server).HasForeignKey(t => t.ServerId).OnDelete(DeleteBehavior.Cascade);
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Shield.Core.Registry;

namespace Shield.Core.Sessions;

internal sealed class AgentSessionConfiguration : IEntityTypeConfiguration<AgentSession>
{
    public void Configure(EntityTypeBuilder<AgentSession> builder)
    {
        builder.ToTable("Sessions");
        builder.HasKey(s => s.Id);
        builder.HasIndex(s => s.TokenSha256).IsUnique();
        builder.HasIndex(s => new { s.AgentId, s.ExpiresAtUtc });
        builder.HasIndex(s => s.ExpiresAtUtc);
        builder.Property(s => s.AgentName).HasMaxLength(ServerName.MaxLength);
        builder.Property(s => s.Task).HasMaxLength(500);
        builder.Property(s => s.TokenSha256).HasMaxLength(64);
        builder.Property(s => s.EndedBy).HasMaxLength(256);
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Shield.Core.Registry;

namespace Shield.Core.Approvals;

internal sealed class ApprovalRequestConfiguration : IEntityTypeConfiguration<ApprovalRequest>
{
    public void Configure(EntityTypeBuilder<ApprovalRequest> builder)
    {
        builder.ToTable("ApprovalRequests");
        builder.HasKey(r => r.Id);
        builder.HasIndex(r => new { r.Status, r.RequestedAtUtc });
        builder.HasIndex(r => r.SessionId);
        // One request waiting in rounds per call (session, tool, arguments) and what it asks for: two rounds of the same
        // call at the same moment, on one instance or two, cannot both open one; the second joins the first.
        builder.HasIndex(r => new { r.SessionId, r.Server, r.Tool, r.ArgumentsFingerprint, r.Risk, r.RequiredApprovals }).IsUnique()
            .HasFilter($"[Status] = '{nameof(ApprovalStatus.Pending)}' AND [Waiting] = '{nameof(ApprovalWaiting.InRounds)}'");
        builder.Property(r => r.AgentName).HasMaxLength(ServerName.MaxLength);
        builder.Property(r => r.AgentOwner).HasMaxLength(256);
        builder.Property(r => r.Task).HasMaxLength(500);
        builder.Property(r => r.Server).HasMaxLength(ServerName.MaxLength);
        builder.Property(r => r.Tool).HasMaxLength(256);
        builder.Property(r => r.ToolDescription).HasMaxLength(2000);
        builder.Property(r => r.Risk).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Reason).HasMaxLength(1000);
        builder.Property(r => r.ArgumentsFingerprint).HasMaxLength(128);
        builder.Property(r => r.TraceId).HasMaxLength(32);
        // As long as the trail's columns they are copied to.
        foreach (var field in Auditing.AuditFields.All.Where(f => f.Name is "shadowDecision" or "shadowGrant" or "shadowReason"))
        {
            builder.Property(field.Property).HasMaxLength(field.MaxLength!.Value);
        }
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Waiting).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.DecidedBy).HasMaxLength(1000);
        builder.Property(r => r.DecisionReason).HasMaxLength(1000);
        builder.Property(r => r.Version).IsConcurrencyToken();
        builder.OwnsMany(r => r.Votes, votes => votes.ToJson());
    }
}

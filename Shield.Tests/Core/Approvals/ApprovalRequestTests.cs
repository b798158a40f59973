using Shield.Core.Approvals;

namespace Shield.Tests.Core.Approvals;

public sealed class ApprovalRequestTests
{
    private static readonly DateTime Now = new(2026, 11, 24, 9, 0, 0, DateTimeKind.Utc);
    private static readonly Reviewer Ada = new("u-ada", "ada@bank.test");
    private static readonly Reviewer Bob = new("u-bob", "bob@bank.test");

    private static ApprovalRequest Pending(int required = 1, string owner = "platform") => new()
    {
        AgentName = "invoice-bot", AgentOwner = owner, RequiredApprovals = required, RequestedAtUtc = Now, ExpiresAtUtc = Now.AddMinutes(5),
    };

    [Theory]
    [InlineData("ada@bank.test")]
    [InlineData(" ADA@bank.test ")]
    [InlineData("u-ada")]
    [InlineData("Ada Lovelace <ada@bank.test>")]
    [InlineData("\"Ada\" <ADA@BANK.TEST>")]
    [InlineData("ada\u200B@bank.test")]
    [InlineData("\u202Eada@bank.test\u202C")]
    [InlineData("ａｄａ@bank.test")]
    public void TheAgentsOwner_MayNotApproveItsCalls_WhateverTheSpelling(string owner) =>
        Assert.Contains("acts for you", Pending(owner: owner).RefuseApproval(Ada, Now), StringComparison.Ordinal);

    [Theory]
    [InlineData(" Ada@Bank.Test ")]
    [InlineData("Ada <ada@bank.test>")]
    [InlineData("ada@bank.test\u2060")]
    public void AReviewerNamedInAnotherSpelling_IsStillTheOwner(string name) =>
        Assert.Contains("acts for you", Pending(owner: "ada@bank.test").RefuseApproval(new Reviewer("u-other", name), Now), StringComparison.Ordinal);

    [Theory]
    [InlineData("ada@bank.test")]
    [InlineData("")]
    public void SomeoneElse_MayApprove(string owner) => Assert.Null(Pending(owner: owner).RefuseApproval(Bob, Now));

    [Theory]
    [InlineData(ApprovalStatus.Approved, "already approved")]
    [InlineData(ApprovalStatus.Denied, "already denied")]
    [InlineData(ApprovalStatus.Expired, "expired")]
    [InlineData(ApprovalStatus.Withdrawn, "stopped waiting")]
    public void ARequestNoLongerPending_CannotBeDecided(ApprovalStatus status, string reason)
    {
        var request = Pending();
        request.Status = status;

        Assert.Contains(reason, request.RefuseApproval(Bob, Now), StringComparison.Ordinal);
        Assert.Contains(reason, request.RefuseDecision(Now), StringComparison.Ordinal);
    }

    [Fact]
    public void APendingRequestPastItsExpiry_CannotBeDecided() =>
        Assert.Contains("expired", Pending().RefuseApproval(Bob, Now.AddMinutes(5)), StringComparison.Ordinal);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void ARequest_IsApprovedOnlyWhenEnoughDifferentReviewersApproved(int required)
    {
        var request = Pending(required);
        var reviewers = Enumerable.Range(0, required).Select(i => new Reviewer($"u{i}", $"r{i}@bank.test")).ToList();

        for (var i = 0; i < required; i++)
        {
            Assert.Null(request.RefuseApproval(reviewers[i], Now));
            Assert.Equal(i == required - 1, request.Approve(reviewers[i], Now));
            Assert.NotNull(request.RefuseApproval(reviewers[i], Now)); // nobody counts twice
        }

        Assert.Equal(ApprovalStatus.Approved, request.Status);
        Assert.Equal(string.Join(", ", reviewers.Select(r => r.Name)), request.DecidedBy);
    }

    [Fact]
    public void OneDenial_DecidesEvenAfterAnApproval()
    {
        var request = Pending(required: 2);
        request.Approve(Ada, Now);

        Assert.Null(request.RefuseDecision(Now));
        request.Deny(Bob, "Not today", Now);

        Assert.Equal((ApprovalStatus.Denied, "bob@bank.test", "Not today"), (request.Status, request.DecidedBy, request.DecisionReason));
    }
}

using System.Text.Json;
using Shield.Core.Registry;

namespace Shield.Console.Registry;

/// <summary>The review-relevant facts of a tool, as recorded before and after a governance change.</summary>
internal static class ToolSnapshot
{
    public static string Of(RegisteredTool tool) => JsonSerializer.Serialize(new
    {
        state = tool.State.ToString(),
        risk = tool.Risk.ToString(),
        fingerprint = tool.Fingerprint,
        approvedFingerprint = tool.ApprovedFingerprint,
        reviewedBy = tool.ReviewedBy,
    });
}

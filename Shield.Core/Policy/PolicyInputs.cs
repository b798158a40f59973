using Shield.Core.Registry;

namespace Shield.Core.Policy;

/// <summary>A tool as the policy engine sees it: whether it may be called at all, and its risk.</summary>
/// <param name="ServerEnabled">A disabled server's tools are never callable.</param>
public sealed record PolicyTool(string Server, string Name, ToolState State, bool Callable, RiskLevel Risk, bool ServerEnabled = true);

/// <summary>An agent as the policy engine sees it.</summary>
public sealed record PolicyAgent(string Name, bool Enabled, IReadOnlyList<string> Roles);

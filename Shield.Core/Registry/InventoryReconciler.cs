namespace Shield.Core.Registry;

/// <summary>
/// Brings a server's inventory in line with what a discovery found. A deterministic function of its inputs (the
/// tracked tools are updated in place); it never makes a tool callable: new and returning tools wait for review, and
/// an approved tool whose fingerprint changed is quarantined. The only exception is a decision an administrator
/// declared beforehand in the governance document, applied to a tool when it first appears.
/// </summary>
public static class InventoryReconciler
{
    public static InventoryChanges Reconcile(
        RegisteredServer server, IReadOnlyList<ToolDefinition> discovered, DateTime nowUtc, IReadOnlyDictionary<string, ToolDecision>? declared = null)
    {
        var changes = new InventoryChanges();
        var existing = server.Tools.ToDictionary(t => t.Name, StringComparer.Ordinal);
        foreach (var definition in discovered)
        {
            if (!existing.Remove(definition.Name, out var tool))
            {
                tool = new RegisteredTool
                {
                    ServerId = server.Id,
                    Name = definition.Name,
                    State = ToolState.PendingReview,
                    Risk = definition.SuggestedRisk,
                    FirstSeenAtUtc = nowUtc,
                };
                Describe(tool, definition, nowUtc, changes);
                if (declared?.GetValueOrDefault(tool.Name)?.Apply(tool, nowUtc) is { } decided)
                {
                    changes.Decided.Add((tool.Name, decided));
                }

                changes.Added.Add(tool.Name);
                changes.NewTools.Add(tool);
                continue;
            }

            // An unchanged tool's last-seen time is the caller's to bump, in bulk (one UPDATE, not one per tool).
            var returning = tool.State == ToolState.Removed;
            if (returning)
            {
                tool.State = ToolState.PendingReview;
                changes.Returned.Add(tool.Name);
            }

            if (tool.Fingerprint == definition.Fingerprint)
            {
                if (tool.State == ToolState.Approved && tool.ApprovedFingerprint != tool.Fingerprint)
                {
                    // Approved against a definition that had already changed (a race with a discovery): not callable, so say so.
                    tool.State = ToolState.Quarantined;
                    changes.Quarantined.Add(tool.Name);
                }
                else if (!returning)
                {
                    changes.Unchanged++;
                }

                continue;
            }

            Describe(tool, definition, nowUtc, changes);
            if (tool.State == ToolState.Approved)
            {
                tool.State = ToolState.Quarantined;
                changes.Quarantined.Add(tool.Name);
            }
            else if (!returning)
            {
                changes.Changed.Add(tool.Name);
            }
        }

        // A blocked tool stays blocked when it disappears, so that leaving it out once cannot launder it back into review.
        foreach (var gone in existing.Values.Where(t => t.State is not (ToolState.Removed or ToolState.Blocked)))
        {
            gone.State = ToolState.Removed;
            changes.Removed.Add(gone.Name);
        }

        return changes;
    }

    private static void Describe(RegisteredTool tool, ToolDefinition definition, DateTime nowUtc, InventoryChanges changes)
    {
        tool.Title = definition.Title;
        tool.Description = definition.Description;
        tool.InputSchema = definition.InputSchema.GetRawText();
        tool.OutputSchema = RawOrNull(definition.OutputSchema);
        tool.Annotations = RawOrNull(definition.Annotations);
        tool.Fingerprint = definition.Fingerprint;
        tool.SuggestedRisk = definition.SuggestedRisk;
        tool.LastSeenAtUtc = nowUtc;
        changes.NewDefinitions.Add(new ToolDefinitionRecord
        {
            ToolId = tool.Id,
            Fingerprint = definition.Fingerprint,
            Definition = definition.Canonical,
            FirstSeenAtUtc = nowUtc,
        });
    }

    private static string? RawOrNull(System.Text.Json.JsonElement? value) =>
        value is { ValueKind: not System.Text.Json.JsonValueKind.Null and not System.Text.Json.JsonValueKind.Undefined } present ? present.GetRawText() : null;
}

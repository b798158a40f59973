using System.Text.Json;
using System.Text.Json.Nodes;
using Shield.Core.Registry;

namespace Shield.Console.Registry;

/// <summary>
/// Reads one page of a <c>tools/list</c> result exactly as the server sent it (the SDK's typed model would drop fields
/// and reorder annotations, changing fingerprints). Entries that are not valid MCP tools are rejected one by one.
/// </summary>
internal static class ToolListParser
{
    /// <param name="result">The page, as the server sent it.</param>
    /// <param name="room">How many more entries the caller accepts; a page with more fails before any entry is read.</param>
    /// <param name="cap">The most the page may hold (a stdio server's page is measured here; an HTTP one was cut off while read).</param>
    public static (string? NextCursor, List<ToolDefinition> Tools, List<RejectedTool> Rejected) ParsePage(JsonNode? result, int room, int limit, AnswerCap cap)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(result);
        if (cap.Exceeded(bytes.Length))
        {
            throw new UpstreamAnswerTooLargeException(cap.Bytes, cap.Setting);
        }

        using var document = JsonDocument.Parse(bytes);
        var page = document.RootElement;
        if (page.ValueKind != JsonValueKind.Object || !page.TryGetProperty("tools", out var tools) || tools.ValueKind != JsonValueKind.Array)
        {
            throw new UpstreamException("The server's tools/list answer has no 'tools' array.");
        }

        if (tools.GetArrayLength() > room)
        {
            throw new UpstreamException($"The server lists more than {limit:N0} tools, the limit set by {RegistryOptions.SectionName}:MaxToolsPerServer.");
        }

        var cursor = !page.TryGetProperty("nextCursor", out var next) || next.ValueKind == JsonValueKind.Null ? null
            : next.ValueKind == JsonValueKind.String ? next.GetString() is { Length: > 0 } text ? text : null
            : throw new UpstreamException("The server's tools/list answer has a 'nextCursor' that is not a string.");

        List<ToolDefinition> parsed = [];
        List<RejectedTool> rejected = [];
        foreach (var element in tools.EnumerateArray())
        {
            if (Parse(element, out var reason) is { } tool)
            {
                parsed.Add(tool);
            }
            else
            {
                rejected.Add(new RejectedTool(ToolScreening.Shorten(NameOf(element)), reason!));
            }
        }

        return (cursor, parsed, rejected);
    }

    private static ToolDefinition? Parse(JsonElement entry, out string? reason)
    {
        reason = entry.ValueKind != JsonValueKind.Object ? "the entry is not a JSON object"
            : !entry.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String ? "the entry has no string 'name'"
            : !entry.TryGetProperty("inputSchema", out var schema) || schema.ValueKind != JsonValueKind.Object ? "the tool has no 'inputSchema' object"
            : Optional(entry, "title", JsonValueKind.String) ?? Optional(entry, "description", JsonValueKind.String)
                ?? Optional(entry, "outputSchema", JsonValueKind.Object) ?? Optional(entry, "annotations", JsonValueKind.Object);
        if (reason is not null)
        {
            return null;
        }

        return new ToolDefinition(
            entry.GetProperty("name").GetString()!,
            Text(entry, "title"),
            Text(entry, "description"),
            entry.GetProperty("inputSchema").Clone(),
            Element(entry, "outputSchema"),
            Element(entry, "annotations"));
    }

    private static string? Optional(JsonElement entry, string property, JsonValueKind kind) =>
        entry.TryGetProperty(property, out var value) && value.ValueKind != kind && value.ValueKind != JsonValueKind.Null
            ? $"the tool's '{property}' is not a {(kind == JsonValueKind.String ? "string" : "JSON object")}"
            : null;

    private static string? Text(JsonElement entry, string property) =>
        entry.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static JsonElement? Element(JsonElement entry, string property) =>
        entry.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Object ? value.Clone() : null;

    private static string NameOf(JsonElement entry) =>
        entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String
            ? name.GetString()!
            : "(unnamed)";
}

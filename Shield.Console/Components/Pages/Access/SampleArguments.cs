using System.Text.Json;
using System.Text.Json.Nodes;

namespace Shield.Console.Components.Pages.Access;

/// <summary>Arguments to try a tool's conditions on, shaped by its input schema: each declared property with a neutral value.</summary>
public static class SampleArguments
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string From(string inputSchema)
    {
        try
        {
            return Sample(JsonNode.Parse(inputSchema), 0)?.ToJsonString(Indented) ?? "{}";
        }
        catch (JsonException)
        {
            return "{}";
        }
    }

    private static JsonNode? Sample(JsonNode? schema, int depth)
    {
        if (schema is not JsonObject shape || depth > 4)
        {
            return null;
        }

        if (shape["default"] is { } given)
        {
            return given.DeepClone();
        }

        if (shape["enum"] is JsonArray { Count: > 0 } values)
        {
            return values[0]?.DeepClone();
        }

        var type = shape["type"] switch
        {
            JsonValue value => value.GetValue<string>(),
            JsonArray types => types.Select(t => t?.GetValue<string>()).FirstOrDefault(t => t != "null"),
            _ => shape["properties"] is null ? null : "object",
        };
        return type switch
        {
            "string" => JsonValue.Create(""),
            "number" or "integer" => JsonValue.Create(0),
            "boolean" => JsonValue.Create(false),
            "array" => new JsonArray(),
            "object" => new JsonObject((shape["properties"] as JsonObject ?? [])
                .Select(p => KeyValuePair.Create(p.Key, Sample(p.Value, depth + 1)))),
            _ => null,
        };
    }
}

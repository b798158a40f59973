using System.Text.Json;

namespace Shield.Core.Conditions;

public enum TypeKind
{
    /// <summary>Known only when the condition runs (a schema that does not say): checked then, and an error denies.</summary>
    Dyn,
    Null,
    Bool,
    Number,
    String,
    List,
    Object,
}

/// <summary>
/// The type of an expression as the checker sees it: from a literal, a variable, or the tool's pinned JSON Schema
/// (<c>integer</c> and <c>number</c> are both numbers; an object's fields are its declared <c>properties</c>).
/// </summary>
public sealed record ConditionType(TypeKind Kind, ConditionType? Element = null, JsonElement? Schema = null)
{
    public static ConditionType Dyn { get; } = new(TypeKind.Dyn);

    public static ConditionType Null { get; } = new(TypeKind.Null);

    public static ConditionType Bool { get; } = new(TypeKind.Bool);

    public static ConditionType Number { get; } = new(TypeKind.Number);

    public static ConditionType String { get; } = new(TypeKind.String);

    public static ConditionType StringList { get; } = new(TypeKind.List, String);

    public static ConditionType ListOf(ConditionType element) => new(TypeKind.List, element);

    /// <summary>A name for messages: "a number", "a list of strings".</summary>
    public string Name => Kind switch
    {
        TypeKind.Dyn => "a value of any type",
        TypeKind.Null => "null",
        TypeKind.Bool => "a boolean",
        TypeKind.Number => "a number",
        TypeKind.String => "a string",
        TypeKind.List => Element is { Kind: not TypeKind.Dyn } element ? $"a list of {Plural(element)}" : "a list",
        _ => "an object",
    };

    private static string Plural(ConditionType type) => type.Kind switch
    {
        TypeKind.Number => "numbers",
        TypeKind.String => "strings",
        TypeKind.Bool => "booleans",
        TypeKind.List => "lists",
        _ => "objects",
    };

    /// <summary>Whether a value of this type may stand where <paramref name="other"/> is expected.</summary>
    public bool Fits(TypeKind other) => Kind == TypeKind.Dyn || other == TypeKind.Dyn || Kind == other;

    public static ConditionType FromSchema(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return Dyn;
        }

        var type = schema.TryGetProperty("type", out var declared) ? SingleType(declared) : null;
        if (type is null && schema.TryGetProperty("properties", out _))
        {
            type = "object";
        }

        if (type is null && schema.TryGetProperty("enum", out var values) && values.ValueKind == JsonValueKind.Array && values.GetArrayLength() > 0)
        {
            type = values[0].ValueKind switch
            {
                JsonValueKind.String => "string",
                JsonValueKind.Number => "number",
                JsonValueKind.True or JsonValueKind.False => "boolean",
                _ => null,
            };
        }

        return type switch
        {
            "string" => String,
            "number" or "integer" => Number,
            "boolean" => Bool,
            "null" => Null,
            "array" => ListOf(schema.TryGetProperty("items", out var items) ? FromSchema(items) : Dyn),
            "object" => new ConditionType(TypeKind.Object, Schema: schema),
            _ => Dyn,
        };
    }

    /// <summary>
    /// The type of an object's field: a declared property, or what <c>additionalProperties</c> allows. Null when the
    /// schema declares no such field (an unknown argument).
    /// </summary>
    public ConditionType? Field(string name)
    {
        if (Kind == TypeKind.Dyn || Schema is not { } schema)
        {
            return Dyn;
        }

        if (schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object
            && properties.TryGetProperty(name, out var property))
        {
            return FromSchema(property);
        }

        return schema.TryGetProperty("additionalProperties", out var more) && more.ValueKind == JsonValueKind.Object ? FromSchema(more) : null;
    }

    // ["string", "null"] is a string that may be absent: the condition is checked against the string.
    private static string? SingleType(JsonElement declared)
    {
        if (declared.ValueKind == JsonValueKind.String)
        {
            return declared.GetString();
        }

        if (declared.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var types = declared.EnumerateArray().Select(t => t.GetString()).Where(t => t != "null").Distinct().ToList();
        return types is [var only] ? only is "integer" ? "number" : only : types.All(t => t is "integer" or "number") && types.Count > 0 ? "number" : null;
    }
}

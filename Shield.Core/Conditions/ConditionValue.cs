using System.Globalization;
using System.Text.Json;

namespace Shield.Core.Conditions;

public enum ValueKind
{
    Null,
    Bool,
    Number,
    String,
    List,
    Map,

    /// <summary>Evaluation failed: <see cref="ConditionValue.Text"/> says why. Never a truth value.</summary>
    Error,
}

/// <summary>
/// A value while a condition is evaluated, without copying what it reads: a string or a list may stay the JSON
/// element it came from. Numbers are one kind (JSON has one), so <c>500</c> and <c>500.0</c> are equal.
/// </summary>
public readonly struct ConditionValue
{
    private ConditionValue(ValueKind kind, double number = 0, string? text = null, JsonElement json = default, object? items = null) =>
        (Kind, Number, Text, Json, Items) = (kind, number, text, json, items);

    public ValueKind Kind { get; }

    /// <summary>A number, or 1 for true and 0 for false.</summary>
    public double Number { get; }

    /// <summary>A string not read from JSON, or an error's message.</summary>
    public string? Text { get; }

    /// <summary>A string, list or map read from the arguments (when <see cref="Text"/> and <see cref="Items"/> are null).</summary>
    public JsonElement Json { get; }

    /// <summary>A list not read from JSON: <see cref="IReadOnlyList{T}"/> of strings, or of values.</summary>
    public object? Items { get; }

    public bool IsTrue => Kind == ValueKind.Bool && Number != 0;

    public static ConditionValue Null { get; } = new(ValueKind.Null);

    public static ConditionValue True { get; } = new(ValueKind.Bool, 1);

    public static ConditionValue False { get; } = new(ValueKind.Bool, 0);

    public static ConditionValue Of(bool value) => value ? True : False;

    public static ConditionValue Of(double value) => new(ValueKind.Number, value);

    public static ConditionValue Of(string value) => new(ValueKind.String, text: value);

    public static ConditionValue Of(IReadOnlyList<string> values) => new(ValueKind.List, items: values);

    public static ConditionValue Of(IReadOnlyList<ConditionValue> values) => new(ValueKind.List, items: values);

    public static ConditionValue Error(string message) => new(ValueKind.Error, text: message);

    public static ConditionValue Of(JsonElement json) => json.ValueKind switch
    {
        JsonValueKind.Number => new(ValueKind.Number, json.GetDouble()),
        JsonValueKind.True => True,
        JsonValueKind.False => False,
        JsonValueKind.String => new(ValueKind.String, json: json),
        JsonValueKind.Array => new(ValueKind.List, json: json),
        JsonValueKind.Object => new(ValueKind.Map, json: json),
        _ => Null,
    };

    /// <summary>The string's text (allocates for a JSON string): only where a method needs it.</summary>
    public string String() => Text ?? Json.GetString()!;

    public bool StringEquals(ConditionValue other) =>
        Text is { } text ? other.Text is { } otherText ? text == otherText : other.Json.ValueEquals(text)
        : other.Text is { } theirs ? Json.ValueEquals(theirs) : Json.GetString() == other.Json.GetString();

    public int Count => Items switch
    {
        IReadOnlyList<string> strings => strings.Count,
        IReadOnlyList<ConditionValue> values => values.Count,
        _ when Kind == ValueKind.List => Json.GetArrayLength(),
        _ when Kind == ValueKind.Map => Json.EnumerateObject().Count(),
        _ => String().Length,
    };

    public ConditionValue this[int index] => Items switch
    {
        IReadOnlyList<string> strings => Of(strings[index]),
        IReadOnlyList<ConditionValue> values => values[index],
        _ => Of(Json[index]),
    };

    /// <summary>The value in a line, short, for a decision's reason (a string clipped, in quotes).</summary>
    public string Describe() => Kind switch
    {
        ValueKind.Null => "null",
        ValueKind.Bool => IsTrue ? "true" : "false",
        ValueKind.Number => Number.ToString("G", CultureInfo.InvariantCulture),
        ValueKind.String => Quote(String()),
        ValueKind.List => $"a list of {Count}",
        ValueKind.Map => "an object",
        _ => "an error",
    };

    private static string Quote(string text) => text.Length <= 32 ? $"'{text}'" : $"'{text[..31]}…'";
}

using System.Text.Json;

namespace Shield.Core.Conditions;

/// <summary>Equality, ordering, membership and arithmetic over <see cref="ConditionValue"/>, as CEL defines them for these kinds.</summary>
internal static class ConditionOperations
{
    public static bool Equal(ConditionValue left, ConditionValue right)
    {
        if (left.Kind != right.Kind)
        {
            return false;
        }

        return left.Kind switch
        {
            ValueKind.Null => true,
            ValueKind.Bool or ValueKind.Number => left.Number == right.Number,
            ValueKind.String => left.StringEquals(right),
            ValueKind.List => ListsEqual(left, right),
            _ => left.Json.GetRawText() == right.Json.GetRawText(),
        };
    }

    private static bool ListsEqual(ConditionValue left, ConditionValue right)
    {
        if (left.Count != right.Count)
        {
            return false;
        }

        for (var i = 0; i < left.Count; i++)
        {
            if (!Equal(left[i], right[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The order of two numbers or two strings (ordinal), or null for any other pair.</summary>
    public static int? Compare(ConditionValue left, ConditionValue right) => (left.Kind, right.Kind) switch
    {
        (ValueKind.Number, ValueKind.Number) => left.Number.CompareTo(right.Number),
        (ValueKind.String, ValueKind.String) => string.CompareOrdinal(left.String(), right.String()),
        _ => null,
    };

    public static ConditionValue In(ConditionValue item, ConditionValue container, string name)
    {
        if (container.Kind == ValueKind.Map)
        {
            return item.Kind == ValueKind.String
                ? ConditionValue.Of(container.Json.TryGetProperty(item.String(), out _))
                : ConditionValue.Error($"{name} is an object: look for a string key in it, not {item.Describe()}.");
        }

        if (container.Kind != ValueKind.List)
        {
            return ConditionValue.Error($"{name} was {container.Describe()}, not a list or an object.");
        }

        if (container.Items is null && container.Json.ValueKind == JsonValueKind.Array)
        {
            foreach (var element in container.Json.EnumerateArray())
            {
                if (Equal(item, ConditionValue.Of(element)))
                {
                    return ConditionValue.True;
                }
            }

            return ConditionValue.False;
        }

        var count = container.Count;
        for (var i = 0; i < count; i++)
        {
            if (Equal(item, container[i]))
            {
                return ConditionValue.True;
            }
        }

        return ConditionValue.False;
    }

    public static ConditionValue Arithmetic(string op, ConditionValue left, ConditionValue right, string name)
    {
        if (op == "+" && left.Kind == ValueKind.String && right.Kind == ValueKind.String)
        {
            return ConditionValue.Of(left.String() + right.String());
        }

        if (left.Kind != ValueKind.Number || right.Kind != ValueKind.Number)
        {
            return ConditionValue.Error($"{name}: '{op}' got {left.Describe()} and {right.Describe()}; it works on numbers.");
        }

        if (op is "/" or "%" && right.Number == 0)
        {
            return ConditionValue.Error($"{name} divides by zero.");
        }

        var result = op switch
        {
            "+" => left.Number + right.Number,
            "-" => left.Number - right.Number,
            "*" => left.Number * right.Number,
            "/" => left.Number / right.Number,
            _ => left.Number % right.Number,
        };
        return double.IsFinite(result) ? ConditionValue.Of(result) : ConditionValue.Error($"{name} overflows.");
    }
}

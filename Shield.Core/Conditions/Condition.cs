using System.Text;
using System.Text.Json;
using Shield.Core.Redaction;

namespace Shield.Core.Conditions;

/// <summary>What a condition came to for one call: it holds, it does not, or it could not be evaluated (<see cref="Error"/>).</summary>
public readonly record struct ConditionOutcome(bool Holds, string? Error)
{
    public bool Failed => Error is not null;
}

/// <summary>
/// A grant's <c>when</c>, compiled once: a boolean expression in a subset of CEL over <c>args</c>, <c>agent</c>,
/// <c>session</c> and <c>tool</c>. <see cref="Evaluate"/> never throws; anything but a boolean result is an error.
/// </summary>
public sealed class Condition
{
    private readonly Evaluate _run;
    private readonly IReadOnlyList<(string Name, Evaluate Read)> _reads;
    private readonly IReadOnlyList<(string Name, Evaluate Read)> _argumentReads;
    private readonly IReadOnlyList<string> _unrecordedSessionReads;
    private readonly bool _readsWholeArguments;

    private Condition(string text, Evaluate run, ConditionCompiler compiler)
    {
        (Text, _run) = (text, run);
        var reads = compiler.ArgumentReads;
        (_argumentReads, _unrecordedSessionReads, _readsWholeArguments) = (reads, compiler.UnrecordedSessionReads, compiler.ReadsWholeArguments);
        // args.order.total explains itself; args.order, read on the way, would only say "an object".
        _reads = [.. reads.Where(r => !reads.Any(other => other.Name.StartsWith(r.Name + ".", StringComparison.Ordinal))).Take(3)];
    }

    public string Text { get; }

    /// <summary>
    /// Parses and type-checks <paramref name="text"/>: against a tool's pinned input schema when given (every argument
    /// it reads must be declared there, with a type that fits its use), else against the variables alone.
    /// </summary>
    public static (Condition? Condition, IReadOnlyList<ConditionProblem> Problems) Compile(string text, JsonElement? inputSchema = null)
    {
        var (node, syntax) = ConditionParser.Parse(text);
        if (node is null)
        {
            return (null, [syntax!]);
        }

        List<ConditionProblem> problems = [];
        var compiler = new ConditionCompiler(inputSchema is { } schema ? ConditionType.FromSchema(schema) : ConditionType.Dyn, problems);
        var (type, run) = compiler.Compile(node);
        if (problems.Count == 0 && !type.Fits(TypeKind.Bool))
        {
            problems.Add(new ConditionProblem(0, $"A condition must be true or false, but this one is {type.Name}."));
        }

        return problems.Count > 0 ? (null, problems) : (new Condition(text, run, compiler), []);
    }

    public ConditionOutcome Evaluate(in ConditionInput input)
    {
        var result = _run(input);
        return result.Kind switch
        {
            ValueKind.Bool => new ConditionOutcome(result.IsTrue, null),
            ValueKind.Error => new ConditionOutcome(false, result.Text),
            _ => new ConditionOutcome(false, $"The condition came to {result.Describe()}, not true or false."),
        };
    }

    /// <summary>
    /// The arguments the condition read, with their values for a reason: <c>args.amount was 720</c>. A value under a
    /// name that says it is a secret, or that looks like one, is withheld; strings are clipped.
    /// </summary>
    public string Explain(in ConditionInput input)
    {
        if (_reads.Count == 0)
        {
            return "";
        }

        var text = new StringBuilder();
        foreach (var (name, read) in _reads)
        {
            var value = read(input);
            text.Append(text.Length == 0 ? "" : ", ").Append(name).Append(value.Kind switch
            {
                ValueKind.Error => " was missing",
                ValueKind.String when Withheld(name, value.String()) => " was withheld (it may be a secret)",
                _ => " was " + value.Describe(),
            });
        }

        return text.ToString();
    }

    /// <summary>
    /// Why the condition cannot be evaluated on a call as the trail recorded it, or null when it can: it reads
    /// <c>session.tools</c> or <c>session.age</c>, which the trail does not keep, or an argument the trail holds only
    /// redacted (a value with a <c>[REDACTED:…]</c> mask in it). The preview against history never guesses those.
    /// </summary>
    public string? NotRecorded(in ConditionInput recorded)
    {
        if (_unrecordedSessionReads.Count > 0)
        {
            return $"its condition reads {string.Join(" and ", _unrecordedSessionReads)}, which the trail does not record";
        }

        if (_readsWholeArguments && recorded.Arguments is { } all && Redactor.HoldsMask(all.GetRawText()))
        {
            return "its condition reads the arguments as a whole, and the trail holds them redacted";
        }

        foreach (var (name, read) in _argumentReads)
        {
            var value = read(recorded);
            var text = value.Kind switch
            {
                ValueKind.String => value.String(),
                ValueKind.Map or ValueKind.List when value.Items is null => value.Json.GetRawText(),
                _ => null,
            };
            if (text is not null && Redactor.HoldsMask(text))
            {
                return $"its condition reads {name}, which the trail holds redacted";
            }
        }

        return null;
    }

    private static bool Withheld(string name, string value) =>
        name.Split('.').Any(SecretKeyName.IsSecret) || ValueChecks.IsHighEntropy(value);

    public override string ToString() => Text;
}

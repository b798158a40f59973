using System.Text.Json;
using System.Text.RegularExpressions;

namespace Shield.Core.Conditions;

/// <summary>
/// Type-checks a parsed condition and turns it into a tree of delegates, in one walk. With the tool's input schema,
/// every use of <c>args</c> is checked against it; with none (<see cref="ConditionType.Dyn"/>), only the rest is, and
/// what the arguments hold is checked as the condition runs, where a mismatch is an error (which denies).
/// </summary>
internal sealed class ConditionCompiler(ConditionType arguments, List<ConditionProblem> problems)
{
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    private readonly List<(string Name, Evaluate Read)> _argumentReads = [];

    private readonly List<string> _sessionReads = [];
    private int _wholeArgumentReads;

    /// <summary>The arguments the condition reads, by name, for explaining a decision.</summary>
    public IReadOnlyList<(string Name, Evaluate Read)> ArgumentReads => _argumentReads;

    /// <summary>The fields of <c>session</c> the condition reads that a trail record does not hold (<c>session.tools</c>, <c>session.age</c>).</summary>
    public IReadOnlyList<string> UnrecordedSessionReads => _sessionReads;

    /// <summary>Whether the condition reads <c>args</c> other than through a field (<c>size(args)</c>, <c>'x' in args</c>).</summary>
    public bool ReadsWholeArguments => _wholeArgumentReads > 0;

    private static readonly Dictionary<string, Dictionary<string, (ConditionType Type, Evaluate Read)>> Records = new(StringComparer.Ordinal)
    {
        ["agent"] = new(StringComparer.Ordinal)
        {
            ["name"] = (ConditionType.String, static (in ConditionInput i) => ConditionValue.Of(i.AgentName)),
            ["roles"] = (ConditionType.StringList, static (in ConditionInput i) => ConditionValue.Of(i.AgentRoles)),
        },
        ["tool"] = new(StringComparer.Ordinal)
        {
            ["server"] = (ConditionType.String, static (in ConditionInput i) => ConditionValue.Of(i.Server)),
            ["name"] = (ConditionType.String, static (in ConditionInput i) => ConditionValue.Of(i.Tool)),
            ["risk"] = (ConditionType.String, static (in ConditionInput i) => ConditionValue.Of(i.Risk)),
        },
        ["session"] = new(StringComparer.Ordinal)
        {
            ["task"] = (ConditionType.String, static (in ConditionInput i) => ConditionValue.Of(i.Task)),
            ["tools"] = (ConditionType.StringList, static (in ConditionInput i) => ConditionValue.Of(i.SessionTools)),
            ["age"] = (ConditionType.Number, static (in ConditionInput i) => ConditionValue.Of(i.SessionAgeSeconds)),
        },
        ["now"] = new(StringComparer.Ordinal)
        {
            ["hour"] = (ConditionType.Number, static (in ConditionInput i) => ConditionValue.Of(i.NowUtc.Hour)),
            ["weekday"] = (ConditionType.Number, static (in ConditionInput i) => ConditionValue.Of((int)i.NowUtc.DayOfWeek)),
        },
    };

    public (ConditionType Type, Evaluate Run) Compile(ConditionNode node) => node switch
    {
        LiteralNode literal => (TypeOf(literal.Value), Constant(literal.Value)),
        ListNode list => CompileList(list),
        IdentNode ident => CompileIdent(ident),
        SelectNode select => CompileSelect(select),
        IndexNode index => CompileIndex(index),
        UnaryNode unary => CompileUnary(unary),
        BinaryNode binary => CompileBinary(binary),
        TernaryNode ternary => CompileTernary(ternary),
        CallNode call => CompileCall(call),
        _ => Fail(node, "This expression is not supported."),
    };

    private (ConditionType, Evaluate) Fail(ConditionNode node, string message)
    {
        problems.Add(new ConditionProblem(node.Position, message));
        return (ConditionType.Dyn, static (in ConditionInput _) => ConditionValue.Error("The condition did not compile."));
    }

    private static Evaluate Constant(ConditionValue value) => (in ConditionInput _) => value;

    private static ConditionType TypeOf(ConditionValue value) => value.Kind switch
    {
        ValueKind.Bool => ConditionType.Bool,
        ValueKind.Number => ConditionType.Number,
        ValueKind.String => ConditionType.String,
        ValueKind.Null => ConditionType.Null,
        _ => ConditionType.Dyn,
    };

    private (ConditionType, Evaluate) CompileList(ListNode list)
    {
        var items = list.Items.Select(Compile).ToList();
        var element = items.Select(i => i.Type).Distinct().ToList() is [var only] ? only : ConditionType.Dyn;
        if (list.Items.All(i => i is LiteralNode))
        {
            ConditionValue[] constant = [.. list.Items.Cast<LiteralNode>().Select(l => l.Value)];
            return (ConditionType.ListOf(element), Constant(ConditionValue.Of(constant)));
        }

        var runs = items.Select(i => i.Run).ToArray();
        return (ConditionType.ListOf(element), (in ConditionInput input) =>
        {
            var values = new ConditionValue[runs.Length];
            for (var i = 0; i < runs.Length; i++)
            {
                values[i] = runs[i](input);
                if (values[i].Kind == ValueKind.Error)
                {
                    return values[i];
                }
            }

            return ConditionValue.Of(values);
        });
    }

    private (ConditionType, Evaluate) CompileIdent(IdentNode ident)
    {
        if (ident.Name == "args")
        {
            _wholeArgumentReads++;
            return (arguments, static (in ConditionInput i) => ConditionValue.Of(i.Arguments is { ValueKind: JsonValueKind.Object } a ? a : EmptyObject));
        }

        return Fail(ident, Records.ContainsKey(ident.Name)
            ? $"{ident.Name} is not a value by itself: name one of its fields ({string.Join(", ", Records[ident.Name].Keys.Select(k => $"{ident.Name}.{k}"))})."
            : $"Unknown name '{ident.Name}': conditions read args, agent, session, tool and now.");
    }

    private (ConditionType, Evaluate) CompileSelect(SelectNode select)
    {
        if (select.Target is IdentNode { Name: var record } && Records.TryGetValue(record, out var fields))
        {
            if (record == "session" && select.Field != "task" && !_sessionReads.Contains($"session.{select.Field}"))
            {
                _sessionReads.Add($"session.{select.Field}");
            }

            return fields.TryGetValue(select.Field, out var field)
                ? field
                : Fail(select, $"{record} has no field '{select.Field}': it has {string.Join(", ", fields.Keys.Select(k => $"{record}.{k}"))}.");
        }

        var (targetType, target) = Compile(select.Target);
        if (select.Target is IdentNode { Name: "args" })
        {
            // args.x reads one field, which is recorded below.
            _wholeArgumentReads--;
        }

        var name = Name(select);
        var fieldType = targetType.Kind switch
        {
            TypeKind.Object or TypeKind.Dyn => targetType.Field(select.Field),
            _ => null,
        };
        if (fieldType is null)
        {
            return Fail(select, targetType.Kind == TypeKind.Object
                ? $"{name} is not an argument of this tool: its input schema declares no '{select.Field}'{Declared(targetType)}."
                : $"{Name(select.Target)} is {targetType.Name}; it has no field '{select.Field}'.");
        }

        var key = select.Field;
        Evaluate run = (in ConditionInput input) =>
        {
            var value = target(input);
            if (value.Kind != ValueKind.Map)
            {
                return value.Kind == ValueKind.Error ? value : ConditionValue.Error($"{Name(select.Target)} was {value.Describe()}, not an object, so it has no '{key}'.");
            }

            return value.Json.TryGetProperty(key, out var property) ? ConditionValue.Of(property) : ConditionValue.Error($"{name} is missing.");
        };
        if (IsArgumentPath(select) && !_argumentReads.Exists(r => r.Name == name))
        {
            _argumentReads.Add((name, run));
        }

        return (fieldType, run);
    }

    private static string Declared(ConditionType type) =>
        type.Schema is { } schema && schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object
            && properties.EnumerateObject().Select(p => p.Name).Take(12).ToList() is { Count: > 0 } names
            ? $" (it declares {string.Join(", ", names)})"
            : " (it declares no arguments)";

    private (ConditionType, Evaluate) CompileIndex(IndexNode index)
    {
        var (targetType, target) = Compile(index.Target);
        var (indexType, key) = Compile(index.Index);
        var name = Name(index.Target);
        if (targetType.Kind is not (TypeKind.List or TypeKind.Dyn) || !indexType.Fits(TypeKind.Number))
        {
            return Fail(index, $"{name} is {targetType.Name}: index a list with a number, or name an object's field with .field or ['field'].");
        }

        return (targetType.Element ?? ConditionType.Dyn, (in ConditionInput input) =>
        {
            var list = target(input);
            var at = key(input);
            if (list.Kind == ValueKind.Error || at.Kind == ValueKind.Error)
            {
                return list.Kind == ValueKind.Error ? list : at;
            }

            if (list.Kind != ValueKind.List || at.Kind != ValueKind.Number)
            {
                return ConditionValue.Error($"{name} was {list.Describe()}, not a list to index with a number.");
            }

            var i = at.Number;
            return i >= 0 && i < list.Count && i == Math.Floor(i) ? list[(int)i] : ConditionValue.Error($"{name} has no item {at.Describe()}.");
        });
    }

    private (ConditionType, Evaluate) CompileUnary(UnaryNode unary)
    {
        var (type, operand) = Compile(unary.Operand);
        var expected = unary.Operator == "!" ? TypeKind.Bool : TypeKind.Number;
        if (!type.Fits(expected))
        {
            return Fail(unary, $"'{unary.Operator}' needs {(expected == TypeKind.Bool ? "a boolean" : "a number")}, but {Name(unary.Operand)} is {type.Name}.");
        }

        return expected == TypeKind.Bool
            ? (ConditionType.Bool, (in ConditionInput input) => operand(input) is var v && v.Kind == ValueKind.Bool ? ConditionValue.Of(!v.IsTrue) : Mismatch(v, "a boolean", unary.Operand))
            : (ConditionType.Number, (in ConditionInput input) => operand(input) is var v && v.Kind == ValueKind.Number ? ConditionValue.Of(-v.Number) : Mismatch(v, "a number", unary.Operand));
    }

    private static ConditionValue Mismatch(ConditionValue value, string expected, ConditionNode node) =>
        value.Kind == ValueKind.Error ? value : ConditionValue.Error($"{Name(node)} was {value.Describe()}, not {expected}.");

    private (ConditionType, Evaluate) CompileTernary(TernaryNode ternary)
    {
        var (testType, test) = Compile(ternary.Test);
        var (trueType, ifTrue) = Compile(ternary.IfTrue);
        var (falseType, ifFalse) = Compile(ternary.IfFalse);
        if (!testType.Fits(TypeKind.Bool))
        {
            return Fail(ternary, $"The test before '?' must be a boolean, but {Name(ternary.Test)} is {testType.Name}.");
        }

        return (trueType == falseType ? trueType : ConditionType.Dyn, (in ConditionInput input) =>
        {
            var t = test(input);
            return t.Kind != ValueKind.Bool ? Mismatch(t, "a boolean", ternary.Test) : t.IsTrue ? ifTrue(input) : ifFalse(input);
        });
    }

    private (ConditionType, Evaluate) CompileBinary(BinaryNode binary)
    {
        var (leftType, left) = Compile(binary.Left);
        var (rightType, right) = Compile(binary.Right);
        var op = binary.Operator;
        switch (op)
        {
            case "&&" or "||":
                if (!leftType.Fits(TypeKind.Bool) || !rightType.Fits(TypeKind.Bool))
                {
                    var wrong = leftType.Fits(TypeKind.Bool) ? binary.Right : binary.Left;
                    return Fail(wrong, $"'{op}' joins booleans, but {Name(wrong)} is {(wrong == binary.Left ? leftType : rightType).Name}.");
                }

                var stopAt = op == "||";
                return (ConditionType.Bool, (in ConditionInput input) =>
                {
                    var l = left(input);
                    if (l.Kind != ValueKind.Bool)
                    {
                        return Mismatch(l, "a boolean", binary.Left);
                    }

                    if (l.IsTrue == stopAt)
                    {
                        return l;
                    }

                    var r = right(input);
                    return r.Kind == ValueKind.Bool ? r : Mismatch(r, "a boolean", binary.Right);
                });

            case "==" or "!=":
                if (!Comparable(leftType, rightType) && leftType.Kind != TypeKind.Null && rightType.Kind != TypeKind.Null)
                {
                    return Fail(binary, $"{Describe(binary.Left, leftType)} is compared with {Describe(binary.Right, rightType)}: they can never be equal.");
                }

                var negate = op == "!=";
                return (ConditionType.Bool, (in ConditionInput input) =>
                {
                    var l = left(input);
                    var r = right(input);
                    return l.Kind == ValueKind.Error ? l : r.Kind == ValueKind.Error ? r : ConditionValue.Of(ConditionOperations.Equal(l, r) != negate);
                });

            case "<" or "<=" or ">" or ">=":
                if (!Comparable(leftType, rightType) || leftType.Kind is not (TypeKind.Number or TypeKind.String or TypeKind.Dyn)
                    || rightType.Kind is not (TypeKind.Number or TypeKind.String or TypeKind.Dyn))
                {
                    return Fail(binary, $"{Describe(binary.Left, leftType)} is compared with {Describe(binary.Right, rightType)}: '{op}' orders two numbers or two strings.");
                }

                return (ConditionType.Bool, (in ConditionInput input) =>
                {
                    var l = left(input);
                    var r = right(input);
                    if (l.Kind == ValueKind.Error || r.Kind == ValueKind.Error)
                    {
                        return l.Kind == ValueKind.Error ? l : r;
                    }

                    var order = ConditionOperations.Compare(l, r);
                    return order is not { } o
                        ? ConditionValue.Error($"{Name(binary.Left)} was {l.Describe()} and {Name(binary.Right)} was {r.Describe()}: '{op}' orders two numbers or two strings.")
                        : ConditionValue.Of(op switch { "<" => o < 0, "<=" => o <= 0, ">" => o > 0, _ => o >= 0 });
                });

            case "in":
                if (rightType.Kind is not (TypeKind.List or TypeKind.Object or TypeKind.Dyn)
                    || (rightType.Kind == TypeKind.List && rightType.Element is { } element && !Comparable(leftType, element))
                    || (rightType.Kind == TypeKind.Object && !leftType.Fits(TypeKind.String)))
                {
                    return Fail(binary, $"'in' looks for {Describe(binary.Left, leftType)} in {Describe(binary.Right, rightType)}, which cannot hold it.");
                }

                return (ConditionType.Bool, (in ConditionInput input) =>
                {
                    var l = left(input);
                    var r = right(input);
                    return l.Kind == ValueKind.Error ? l : r.Kind == ValueKind.Error ? r : ConditionOperations.In(l, r, Name(binary.Right));
                });

            default:
                var strings = op == "+" && leftType.Kind == TypeKind.String && rightType.Kind == TypeKind.String;
                if (!strings && (!leftType.Fits(TypeKind.Number) || !rightType.Fits(TypeKind.Number)))
                {
                    return Fail(binary, $"'{op}' works on numbers{(op == "+" ? " or two strings" : "")}, but {Describe(binary.Left, leftType)} and {Describe(binary.Right, rightType)} are given.");
                }

                return (strings ? ConditionType.String : leftType.Kind == TypeKind.Dyn || rightType.Kind == TypeKind.Dyn ? ConditionType.Dyn : ConditionType.Number,
                    (in ConditionInput input) =>
                    {
                        var l = left(input);
                        var r = right(input);
                        return l.Kind == ValueKind.Error ? l : r.Kind == ValueKind.Error ? r : ConditionOperations.Arithmetic(op, l, r, Name(binary));
                    });
        }
    }

    private static bool Comparable(ConditionType left, ConditionType right) =>
        left.Kind == TypeKind.Dyn || right.Kind == TypeKind.Dyn || left.Kind == right.Kind;

    private static string Describe(ConditionNode node, ConditionType type) => node is LiteralNode literal ? $"{literal.Value.Describe()} ({type.Name})" : $"{Name(node)} ({type.Name})";

    private (ConditionType, Evaluate) CompileCall(CallNode call)
    {
        if (call.Function == "has")
        {
            if (call.Target is not null || call.Arguments is not [SelectNode select])
            {
                return Fail(call, "has() takes one field, as in has(args.note).");
            }

            var (_, target) = Compile(select.Target);
            if (select.Target is IdentNode { Name: "args" })
            {
                // has(args.x) reads whether the field is there, which redaction never changes.
                _wholeArgumentReads--;
            }

            var (fieldType, _) = Compile(select);
            _ = fieldType;
            var key = select.Field;
            return (ConditionType.Bool, (in ConditionInput input) =>
            {
                var value = target(input);
                return value.Kind == ValueKind.Error ? value : ConditionValue.Of(value.Kind == ValueKind.Map && value.Json.TryGetProperty(key, out _));
            });
        }

        var receiverNode = call.Target ?? (call.Arguments.Count > 0 ? call.Arguments[0] : null);
        var rest = call.Target is null ? call.Arguments.Skip(1).ToList() : call.Arguments;
        if (receiverNode is null)
        {
            return Fail(call, $"{call.Function}() needs a value.");
        }

        var (receiverType, receiver) = Compile(receiverNode);
        var name = Name(receiverNode);
        switch (call.Function)
        {
            case "size" when rest.Count == 0:
                if (receiverType.Kind is not (TypeKind.String or TypeKind.List or TypeKind.Object or TypeKind.Dyn))
                {
                    return Fail(call, $"size() measures a string, a list or an object, but {name} is {receiverType.Name}.");
                }

                return (ConditionType.Number, (in ConditionInput input) => receiver(input) is var v && v.Kind is ValueKind.String or ValueKind.List or ValueKind.Map
                    ? ConditionValue.Of(v.Count)
                    : Mismatch(v, "a string, a list or an object", receiverNode));

            case "startsWith" or "endsWith" or "contains" when call.Target is not null && rest.Count == 1:
                var (argumentType, argument) = Compile(rest[0]);
                if (!receiverType.Fits(TypeKind.String) || !argumentType.Fits(TypeKind.String))
                {
                    return Fail(call, $"{call.Function}() works on strings, but {Describe(receiverNode, receiverType)} and {Describe(rest[0], argumentType)} are given.");
                }

                var function = call.Function;
                return (ConditionType.Bool, (in ConditionInput input) =>
                {
                    var text = receiver(input);
                    var part = argument(input);
                    if (text.Kind != ValueKind.String || part.Kind != ValueKind.String)
                    {
                        return text.Kind != ValueKind.String ? Mismatch(text, "a string", receiverNode) : Mismatch(part, "a string", rest[0]);
                    }

                    var (whole, piece) = (text.String(), part.String());
                    return ConditionValue.Of(function switch
                    {
                        "startsWith" => whole.StartsWith(piece, StringComparison.Ordinal),
                        "endsWith" => whole.EndsWith(piece, StringComparison.Ordinal),
                        _ => whole.Contains(piece, StringComparison.Ordinal),
                    });
                });

            case "matches" when rest is [LiteralNode { Value.Kind: ValueKind.String } pattern]:
                if (!receiverType.Fits(TypeKind.String))
                {
                    return Fail(call, $"matches() works on a string, but {name} is {receiverType.Name}.");
                }

                Regex regex;
                try
                {
                    regex = new Regex(pattern.Value.Text!, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
                }
                catch (Exception e) when (e is ArgumentException or NotSupportedException)
                {
                    return Fail(pattern, $"The pattern is not a regular expression conditions accept: {e.Message}");
                }

                return (ConditionType.Bool, (in ConditionInput input) => receiver(input) is var v && v.Kind == ValueKind.String
                    ? ConditionValue.Of(regex.IsMatch(v.String()))
                    : Mismatch(v, "a string", receiverNode));

            case "matches":
                return Fail(call, "matches() takes one pattern written as a string literal, as in args.to.matches('^[a-z]+@example[.]com$').");

            default:
                return Fail(call, $"Unknown function {call.Function}() with {call.Arguments.Count} argument(s): conditions know size(), has(), startsWith(), endsWith(), contains() and matches().");
        }
    }

    private static bool IsArgumentPath(ConditionNode node) => node switch
    {
        IdentNode { Name: "args" } => true,
        SelectNode select => IsArgumentPath(select.Target),
        _ => false,
    };

    /// <summary>How an expression is named in messages: its path (<c>args.amount</c>), or where it starts.</summary>
    internal static string Name(ConditionNode node) => node switch
    {
        IdentNode ident => ident.Name,
        SelectNode select => $"{Name(select.Target)}.{select.Field}",
        IndexNode index when index.Index is LiteralNode literal => $"{Name(index.Target)}[{literal.Value.Describe()}]",
        LiteralNode literal => literal.Value.Describe(),
        CallNode call => call.Target is null ? $"{call.Function}(…)" : $"{Name(call.Target)}.{call.Function}(…)",
        _ => $"the expression at {node.Position + 1}",
    };
}

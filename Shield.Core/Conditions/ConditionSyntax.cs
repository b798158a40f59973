using System.Globalization;
using System.Text;

namespace Shield.Core.Conditions;

/// <summary>A node of a parsed condition; <see cref="Position"/> is where it starts in the text (0-based).</summary>
public abstract record ConditionNode(int Position);

public sealed record LiteralNode(int Position, ConditionValue Value) : ConditionNode(Position);

public sealed record ListNode(int Position, IReadOnlyList<ConditionNode> Items) : ConditionNode(Position);

public sealed record IdentNode(int Position, string Name) : ConditionNode(Position);

/// <summary><c>target.field</c>, or <c>target['field']</c> with a literal key.</summary>
public sealed record SelectNode(int Position, ConditionNode Target, string Field) : ConditionNode(Position);

/// <summary><c>target[index]</c> with a computed index.</summary>
public sealed record IndexNode(int Position, ConditionNode Target, ConditionNode Index) : ConditionNode(Position);

public sealed record UnaryNode(int Position, string Operator, ConditionNode Operand) : ConditionNode(Position);

public sealed record BinaryNode(int Position, string Operator, ConditionNode Left, ConditionNode Right) : ConditionNode(Position);

public sealed record TernaryNode(int Position, ConditionNode Test, ConditionNode IfTrue, ConditionNode IfFalse) : ConditionNode(Position);

/// <summary>A function (<c>size(x)</c>, <c>has(x.y)</c>) or a method (<c>x.startsWith('a')</c>, <c>Target</c> set).</summary>
public sealed record CallNode(int Position, ConditionNode? Target, string Function, IReadOnlyList<ConditionNode> Arguments) : ConditionNode(Position);

/// <summary>What is wrong with a condition, and where in its text (0-based).</summary>
public sealed record ConditionProblem(int Position, string Message)
{
    public override string ToString() => $"at {Position + 1}: {Message}";
}

/// <summary>
/// Parses the subset of CEL that conditions use: literals (numbers, strings, true, false, null, lists), the variables,
/// field selection and indexing, <c>! -</c>, <c>* / %</c>, <c>+ -</c>, comparisons, <c>in</c>, <c>&amp;&amp; ||</c>,
/// <c>? :</c>, and calls. A precedence-climbing parser over a hand-written scanner: the grammar is CEL's.
/// </summary>
public sealed class ConditionParser
{
    public const int MaxLength = 1000;
    private const int MaxDepth = 32;

    private readonly string _text;
    private int _at;
    private int _depth;

    private ConditionParser(string text) => _text = text;

    public static (ConditionNode? Node, ConditionProblem? Problem) Parse(string text)
    {
        if (text.Length > MaxLength)
        {
            return (null, new ConditionProblem(0, $"A condition is at most {MaxLength:N0} characters; this one is {text.Length:N0}."));
        }

        var parser = new ConditionParser(text);
        try
        {
            var node = parser.Expression();
            parser.SkipSpace();
            return parser._at < text.Length
                ? (null, new ConditionProblem(parser._at, $"Unexpected '{text[parser._at]}'; expected an operator or the end."))
                : (node, null);
        }
        catch (SyntaxError error)
        {
            return (null, new ConditionProblem(error.Position, error.Message));
        }
    }

    private ConditionNode Expression()
    {
        if (++_depth > MaxDepth)
        {
            throw new SyntaxError(_at, $"The condition nests more than {MaxDepth} levels deep.");
        }

        var test = Binary(0);
        if (Accept("?"))
        {
            var ifTrue = Expression();
            Expect(":");
            var ifFalse = Expression();
            test = new TernaryNode(test.Position, test, ifTrue, ifFalse);
        }

        _depth--;
        return test;
    }

    private static readonly string[][] Levels =
    [
        ["||"],
        ["&&"],
        ["==", "!=", "<=", ">=", "<", ">", "in"],
        ["+", "-"],
        ["*", "/", "%"],
    ];

    private ConditionNode Binary(int level)
    {
        if (level == Levels.Length)
        {
            return Unary();
        }

        var left = Binary(level + 1);
        while (AcceptAny(Levels[level]) is { } op)
        {
            var right = Binary(level + 1);
            left = new BinaryNode(left.Position, op, left, right);
        }

        return left;
    }

    private ConditionNode Unary()
    {
        SkipSpace();
        var at = _at;
        if (Accept("!"))
        {
            return new UnaryNode(at, "!", Unary());
        }

        return Accept("-") ? new UnaryNode(at, "-", Unary()) : Member(Primary());
    }

    private ConditionNode Member(ConditionNode target)
    {
        while (true)
        {
            // A path is placed where it starts: args.amount is at the 'a' of args.
            var at = target.Position;
            if (Accept("."))
            {
                var name = Identifier() ?? throw new SyntaxError(_at, "Expected a field name after '.'.");
                target = Accept("(") ? new CallNode(at, target, name, Arguments()) : new SelectNode(at, target, name);
            }
            else if (Accept("["))
            {
                var index = Expression();
                Expect("]");
                target = index is LiteralNode { Value.Kind: ValueKind.String } key
                    ? new SelectNode(at, target, key.Value.Text!)
                    : new IndexNode(at, target, index);
            }
            else
            {
                return target;
            }
        }
    }

    private ConditionNode Primary()
    {
        SkipSpace();
        var at = _at;
        if (at >= _text.Length)
        {
            throw new SyntaxError(at, "The condition ends too soon: expected a value.");
        }

        var c = _text[at];
        if (Accept("("))
        {
            var inner = Expression();
            Expect(")");
            return inner;
        }

        if (Accept("["))
        {
            List<ConditionNode> items = [];
            if (!Accept("]"))
            {
                do
                {
                    items.Add(Expression());
                }
                while (Accept(","));
                Expect("]");
            }

            return new ListNode(at, items);
        }

        if (c is '"' or '\'')
        {
            return new LiteralNode(at, ConditionValue.Of(StringLiteral(c)));
        }

        if (char.IsAsciiDigit(c) || (c == '.' && at + 1 < _text.Length && char.IsAsciiDigit(_text[at + 1])))
        {
            return new LiteralNode(at, ConditionValue.Of(Number()));
        }

        var name = Identifier() ?? throw new SyntaxError(at, $"Unexpected '{c}'; expected a value.");
        return name switch
        {
            "true" => new LiteralNode(at, ConditionValue.True),
            "false" => new LiteralNode(at, ConditionValue.False),
            "null" => new LiteralNode(at, ConditionValue.Null),
            _ when Accept("(") => new CallNode(at, null, name, Arguments()),
            _ => new IdentNode(at, name),
        };
    }

    private List<ConditionNode> Arguments()
    {
        List<ConditionNode> arguments = [];
        if (Accept(")"))
        {
            return arguments;
        }

        do
        {
            arguments.Add(Expression());
        }
        while (Accept(","));
        Expect(")");
        return arguments;
    }

    private string? Identifier()
    {
        SkipSpace();
        var start = _at;
        if (start >= _text.Length || !(char.IsAsciiLetter(_text[start]) || _text[start] == '_'))
        {
            return null;
        }

        while (_at < _text.Length && (char.IsAsciiLetterOrDigit(_text[_at]) || _text[_at] == '_'))
        {
            _at++;
        }

        return _text[start.._at];
    }

    private double Number()
    {
        var start = _at;
        while (_at < _text.Length && (char.IsAsciiDigit(_text[_at]) || _text[_at] is '.' or 'e' or 'E'
            || (_text[_at] is '+' or '-' && _text[_at - 1] is 'e' or 'E')))
        {
            _at++;
        }

        if (_at < _text.Length && _text[_at] is 'u' or 'U')
        {
            _at++;
        }

        var digits = _text[start.._at].TrimEnd('u', 'U');
        return double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw new SyntaxError(start, $"'{digits}' is not a number.");
    }

    private string StringLiteral(char quote)
    {
        var start = _at++;
        var text = new StringBuilder();
        while (_at < _text.Length && _text[_at] != quote)
        {
            var c = _text[_at++];
            if (c == '\\' && _at < _text.Length)
            {
                var escaped = _text[_at++];
                text.Append(escaped switch
                {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    '\\' or '\'' or '"' => escaped,
                    _ => throw new SyntaxError(_at - 2, $"'\\{escaped}' is not an escape conditions know: use \\n, \\t, \\r, \\\\, \\' or \\\"."),
                });
            }
            else
            {
                text.Append(c);
            }
        }

        if (_at >= _text.Length)
        {
            throw new SyntaxError(start, "The string is not closed.");
        }

        _at++;
        return text.ToString();
    }

    private void SkipSpace()
    {
        while (_at < _text.Length && char.IsWhiteSpace(_text[_at]))
        {
            _at++;
        }
    }

    private bool Accept(string token)
    {
        SkipSpace();
        if (string.CompareOrdinal(_text, _at, token, 0, token.Length) != 0)
        {
            return false;
        }

        // "in" is a word: never the start of "index"; "<" is not the start of "<=" when "<=" was tried first.
        if (char.IsAsciiLetter(token[0]) && _at + token.Length < _text.Length && (char.IsAsciiLetterOrDigit(_text[_at + token.Length]) || _text[_at + token.Length] == '_'))
        {
            return false;
        }

        _at += token.Length;
        return true;
    }

    private string? AcceptAny(string[] tokens)
    {
        foreach (var token in tokens)
        {
            // A single '!' or '=' never stands alone: "!=" and "==" are tried whole.
            if (Accept(token))
            {
                return token;
            }
        }

        return null;
    }

    private void Expect(string token)
    {
        if (!Accept(token))
        {
            throw new SyntaxError(_at, _at < _text.Length ? $"Expected '{token}' but found '{_text[_at]}'." : $"Expected '{token}' but the condition ends.");
        }
    }

    private sealed class SyntaxError(int position, string message) : Exception(message)
    {
        public int Position { get; } = position;
    }
}

namespace Shield.Console.Common;

public enum RefusalKind
{
    Invalid,
    NotFound,
    Conflict,
    Forbidden,
}

/// <summary>Why a change was refused, written for the person who asked; <see cref="Errors"/> maps a field to its messages.</summary>
public sealed record Refusal(RefusalKind Kind, string Message, IReadOnlyDictionary<string, string[]>? Errors = null)
{
    public static Refusal Invalid(string field, params string[] messages) =>
        new(RefusalKind.Invalid, string.Join(" ", messages), new Dictionary<string, string[]> { [field] = messages });

    public static Refusal NotFound(string message) => new(RefusalKind.NotFound, message);

    public static Refusal Conflict(string message) => new(RefusalKind.Conflict, message);

    public static Refusal Forbidden(string message) => new(RefusalKind.Forbidden, message);
}

/// <summary>The outcome of a change: the thing as it is now, or the refusal (then nothing changed).</summary>
public sealed record Result<T>(T? Value, Refusal? Refusal) where T : class
{
    public static Result<T> Ok(T value) => new(value, null);

    public static implicit operator Result<T>(Refusal refusal) => new(null, refusal);
}

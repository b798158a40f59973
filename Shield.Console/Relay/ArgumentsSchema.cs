using System.Text.Json;
using NJsonSchema;
using NJsonSchema.Validation;

namespace Shield.Console.Relay;

/// <summary>
/// A tool's pinned input schema, compiled once, that checks a call's arguments before they reach the upstream.
/// References may point only inside the schema: Shield never fetches a file or URL a tool definition names. A schema
/// Shield cannot compile refuses every call (deny when unsure) with a message that says so.
/// </summary>
public sealed class ArgumentsSchema
{
    private readonly JsonSchema? _schema;
    private readonly string? _problem;

    private ArgumentsSchema(JsonSchema? schema, string? problem) => (_schema, _problem) = (schema, problem);

    public static ArgumentsSchema Compile(JsonElement schema)
    {
        try
        {
            var compiled = JsonSchema.FromJsonAsync(schema.GetRawText(), documentPath: null, root => new LocalReferencesOnly(root)).GetAwaiter().GetResult();
            return new ArgumentsSchema(compiled, null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new ArgumentsSchema(null, $"Shield cannot check arguments against this tool's input schema ({e.Message}), so it refuses every call to it. Ask an administrator to review the tool.");
        }
    }

    /// <summary>Null when the arguments fit the schema; otherwise what is wrong, written for the agent.</summary>
    public string? Check(JsonElement? arguments)
    {
        if (_schema is null)
        {
            return _problem;
        }

        var json = arguments is { ValueKind: not JsonValueKind.Undefined and not JsonValueKind.Null } given ? given.GetRawText() : "{}";
        ICollection<ValidationError> errors;
        try
        {
            errors = _schema.Validate(json);
        }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
        {
            // Deny when unsure: arguments that cannot be checked are not passed on.
            return "Shield could not check the arguments against the tool's input schema in time (a pattern in the schema takes too long on these arguments), so it refuses the call.";
        }
        catch (ArgumentException e)
        {
            return $"Shield cannot check arguments against this tool's input schema ({e.Message}), so it refuses the call. Ask an administrator to review the tool.";
        }

        if (errors.Count == 0)
        {
            return null;
        }

        var described = errors.Take(5).Select(Describe);
        return "The arguments do not match the tool's input schema: " + string.Join("; ", described) + (errors.Count > 5 ? $"; and {errors.Count - 5} more." : ".");
    }

    private static string Describe(ValidationError error)
    {
        var where = string.IsNullOrEmpty(error.Path) || error.Path == "#" ? "the arguments" : error.Path.TrimStart('#', '/').Replace('/', '.');
        return $"{where}: {error.Kind}";
    }

    private sealed class LocalReferencesOnly(JsonSchema root) : JsonReferenceResolver(new JsonSchemaAppender(root, new DefaultTypeNameGenerator()))
    {
        public override Task<NJsonSchema.References.IJsonReference> ResolveFileReferenceAsync(string filePath, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException($"the schema refers to the file '{filePath}'");

        public override Task<NJsonSchema.References.IJsonReference> ResolveUrlReferenceAsync(string url, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException($"the schema refers to '{url}'");
    }
}

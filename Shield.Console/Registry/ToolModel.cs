using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Shield.Core.Registry;

namespace Shield.Console.Registry;

/// <summary>
/// A tool definition in the MCP SDK's model, the form in which the relay lists it to agents and pins it on upstream
/// sessions. Discovery and the relay use this one conversion: a definition the model cannot hold (an input schema
/// whose <c>type</c> is not <c>"object"</c>, an annotation of the wrong JSON type, an <c>x-mcp-header</c> the SDK
/// refuses) is refused at discovery, and one that was approved all the same leaves only itself out of the relay.
/// </summary>
public static class ToolModel
{
    /// <summary>The definition in the SDK's model, or null with why Shield cannot serve it.</summary>
    public static Tool? From(ToolDefinition definition, out string? problem) =>
        From(definition.Name, definition.Title, definition.Description, definition.InputSchema, definition.OutputSchema, definition.Annotations, out problem);

    /// <summary>A stored definition (its JSON as text) in the SDK's model, or null with why Shield cannot serve it.</summary>
    public static Tool? From(RegisteredTool tool, out string? problem)
    {
        try
        {
            using var input = JsonDocument.Parse(tool.InputSchema);
            using var output = tool.OutputSchema is null ? null : JsonDocument.Parse(tool.OutputSchema);
            using var annotations = tool.Annotations is null ? null : JsonDocument.Parse(tool.Annotations);
            return From(tool.Name, tool.Title, tool.Description, input.RootElement, output?.RootElement, annotations?.RootElement, out problem);
        }
        catch (JsonException)
        {
            problem = "its stored definition is not valid JSON";
            return null;
        }
    }

    /// <summary>
    /// Registers the definition on an upstream session, so that a call sends the <c>Mcp-Param-*</c> headers its schema
    /// asks for; null, or why the SDK refuses its <c>x-mcp-header</c> annotations.
    /// </summary>
    public static string? Pin(McpClient upstream, Tool tool)
    {
        try
        {
            upstream.AddKnownTools([tool]);
            return null;
        }
        catch (ArgumentException e)
        {
            const string Prefix = "One or more tools failed x-mcp-header validation: ";
            var message = e.Message.Split(" (Parameter", 2)[0];
            return "its input schema's x-mcp-header annotations are invalid: " + (message.StartsWith(Prefix, StringComparison.Ordinal) ? message[Prefix.Length..] : message);
        }
    }

    private static Tool? From(string name, string? title, string? description, JsonElement input, JsonElement? output, JsonElement? annotations, out string? problem)
    {
        problem = null;
        var tool = new Tool { Name = name, Title = title, Description = description };
        try
        {
            tool.InputSchema = input.Clone();
        }
        catch (ArgumentException)
        {
            problem = "its inputSchema is not a JSON Schema object whose \"type\" is \"object\", as MCP requires";
            return null;
        }

        try
        {
            tool.OutputSchema = output?.Clone();
        }
        catch (ArgumentException)
        {
            problem = "its outputSchema is not a JSON Schema MCP accepts for structured output";
            return null;
        }

        try
        {
            tool.Annotations = annotations?.Deserialize<ToolAnnotations>(McpJsonUtilities.DefaultOptions);
        }
        catch (JsonException e)
        {
            problem = $"its annotations do not fit MCP's: the value at {e.Path ?? "$"} has the wrong JSON type";
            return null;
        }

        return tool;
    }
}

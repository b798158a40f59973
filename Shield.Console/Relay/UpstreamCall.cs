using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Shield.Console.Registry;

namespace Shield.Console.Relay;

/// <summary>
/// Sends one tools/call upstream under an id of Shield's own and, when the agent cancels, tells the upstream with
/// <c>notifications/cancelled</c> for that id. The SDK client would only abort its HTTP request, which a server may
/// not notice; the notification is what the protocol defines. The tool's approved definition is pinned on the upstream
/// session first (once per session and catalog), so that the call carries the <c>Mcp-Param-*</c> headers its schema
/// asks for.
/// </summary>
internal static class UpstreamCall
{
    private static long s_next;

    // The definitions each upstream session was given, by tool name: a tool is pinned again only once the catalog rebuilt it.
    private static readonly ConditionalWeakTable<McpClient, ConcurrentDictionary<string, RelayTool>> s_pinned = [];

    /// <param name="measure">
    /// The cap to measure the result against once read: a stdio server's answer, which the SDK reads whole (an HTTP
    /// server's answer is cut off while it is read, by <see cref="UpstreamAnswerLimit"/>).
    /// </param>
    /// <param name="parameters">The call's <c>params</c>: the tool's name, the arguments as the agent sent them, the <c>_meta</c> as it goes on.</param>
    public static async Task<CallToolResult> SendAsync(McpClient client, RelayTool tool, JsonObject parameters, AnswerCap? measure,
        CancellationToken cancellationToken)
    {
        var pinned = s_pinned.GetOrAdd(client, _ => new ConcurrentDictionary<string, RelayTool>(StringComparer.Ordinal));
        if (!pinned.TryGetValue(tool.Name, out var known) || !ReferenceEquals(known, tool))
        {
            if (ToolModel.Pin(client, tool.Definition) is { } problem)
            {
                // Discovery refuses such definitions; one approved before that is refused here, and only this tool's calls fail.
                throw new McpProtocolException($"Shield cannot send calls to {tool.QualifiedName}: {problem}. An administrator must review the tool.",
                    McpErrorCode.InvalidParams);
            }

            pinned[tool.Name] = tool;
        }

        var id = new RequestId("shield-" + Interlocked.Increment(ref s_next).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var request = new JsonRpcRequest
        {
            Id = id,
            Method = RequestMethods.ToolsCall,
            Params = parameters,
        };
        using var cancelled = cancellationToken.Register(() => _ = CancelAsync(client, id));
        var response = await client.SendRequestAsync(request, cancellationToken);
        if (measure is not null && measure.Exceeded(JsonSerializer.SerializeToUtf8Bytes(response.Result, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonNode))).Length))
        {
            throw new UpstreamAnswerTooLargeException(measure.Bytes, measure.Setting);
        }

        return (CallToolResult?)response.Result.Deserialize(McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(CallToolResult)))
            ?? throw new McpException("The server answered tools/call without a result.");
    }

    private static async Task CancelAsync(McpClient client, RequestId id)
    {
        try
        {
            await client.SendMessageAsync(new JsonRpcNotification
            {
                Method = NotificationMethods.CancelledNotification,
                Params = JsonSerializer.SerializeToNode(new CancelledNotificationParams { RequestId = id, Reason = "The agent cancelled the call." },
                    McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(CancelledNotificationParams))),
            });
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The upstream is gone: there is nothing left to cancel.
        }
    }
}

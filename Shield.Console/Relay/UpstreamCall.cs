using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Shield.Console.Relay;

/// <summary>
/// Sends one tools/call upstream under an id of Shield's own and, when the agent cancels, tells the upstream with
/// <c>notifications/cancelled</c> for that id. The SDK client would only abort its HTTP request, which a server may
/// not notice; the notification is what the protocol defines.
/// </summary>
internal static class UpstreamCall
{
    private static long s_next;

    public static async Task<CallToolResult> SendAsync(McpClient client, CallToolRequestParams parameters, CancellationToken cancellationToken)
    {
        var id = new RequestId("shield-" + Interlocked.Increment(ref s_next).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var request = new JsonRpcRequest
        {
            Id = id,
            Method = RequestMethods.ToolsCall,
            Params = JsonSerializer.SerializeToNode(parameters, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(CallToolRequestParams))),
        };
        using var cancelled = cancellationToken.Register(() => _ = CancelAsync(client, id));
        var response = await client.SendRequestAsync(request, cancellationToken);
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

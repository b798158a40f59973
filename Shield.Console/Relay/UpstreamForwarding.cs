// The relay speaks the 2025-11-25 revision to clients that initialize, so it passes on logging, sampling and roots,
// which the SDK marks obsolete for the revisions after it.
#pragma warning disable MCP9005

using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Shield.Console.Relay;

/// <summary>
/// What an agent session's own upstream session declares and does with what the upstream sends: the agent's client
/// capabilities (sampling, elicitation, roots) declared as its own, the upstream's requests for them handed to the
/// agent, and its progress, logging, resource and list-change notifications passed on to the agent's session.
/// </summary>
internal static class UpstreamForwarding
{
    private static readonly string[] Forwarded =
    [
        NotificationMethods.LoggingMessageNotification,
        NotificationMethods.ResourceUpdatedNotification,
        NotificationMethods.ResourceListChangedNotification,
        NotificationMethods.PromptListChangedNotification,
        NotificationMethods.ToolListChangedNotification,
    ];

    public static void Configure(McpClientOptions options, RelaySession relay, ClientCapabilities? downstream)
    {
        options.Capabilities = new ClientCapabilities
        {
            Sampling = downstream?.Sampling,
            Elicitation = downstream?.Elicitation,
            Roots = downstream?.Roots,
            Experimental = downstream?.Experimental,
        };
#pragma warning disable MCP9001, CS0618 // sampling and roots requests as older revisions define them
        if (downstream?.Sampling is not null)
        {
            options.Handlers.SamplingHandler = (request, _, cancellationToken) => Required(relay).SampleAsync(request!, cancellationToken);
        }

        if (downstream?.Elicitation is not null)
        {
            options.Handlers.ElicitationHandler = (request, cancellationToken) => Required(relay).ElicitAsync(request!, cancellationToken);
        }

        if (downstream?.Roots is not null)
        {
            options.Handlers.RootsHandler = (request, cancellationToken) => Required(relay).RequestRootsAsync(request ?? new ListRootsRequestParams(), cancellationToken);
        }
#pragma warning restore MCP9001, CS0618

        options.Handlers.NotificationHandlers =
        [
            new(NotificationMethods.ProgressNotification, (notification, cancellationToken) => ForwardProgressAsync(relay, notification, cancellationToken)),
            .. Forwarded.Select(method => new KeyValuePair<string, Func<JsonRpcNotification, CancellationToken, ValueTask>>(method,
                (notification, cancellationToken) => ForwardAsync(relay.Destination(), notification, cancellationToken))),
        ];
    }

    private static McpServer Required(RelaySession relay) =>
        relay.Destination() ?? throw new InvalidOperationException("The agent's MCP session is no longer connected.");

    private static ValueTask ForwardProgressAsync(RelaySession relay, JsonRpcNotification notification, CancellationToken cancellationToken)
    {
        var token = notification.Params?["progressToken"] is { } value ? TokenText(value) : null;
        return ForwardAsync(token is null ? relay.Destination() : relay.ProgressDestination(token), notification, cancellationToken);
    }

    private static string? TokenText(System.Text.Json.Nodes.JsonNode value) =>
        value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();

    private static async ValueTask ForwardAsync(McpServer? destination, JsonRpcNotification notification, CancellationToken cancellationToken)
    {
        if (destination is null)
        {
            return;
        }

        try
        {
            await destination.SendMessageAsync(new JsonRpcNotification { Method = notification.Method, Params = notification.Params?.DeepClone() }, cancellationToken);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The agent went away; a notification has nowhere else to go.
        }
    }
}

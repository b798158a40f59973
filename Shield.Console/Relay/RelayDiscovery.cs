using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Shield.Console.Relay;

/// <summary>
/// The answer to <c>server/discover</c> (2026-07-28 revision) is what the asking session may use, not everything the relay
/// could serve: prompts only while a server the session may use now offers prompts, resources likewise, completions
/// only with either (they complete prompt and resource-template arguments); no resource subscriptions (a stateless
/// client has none on the relay); private and stale at once, as every list (<see cref="PrivateCache"/>). The SDK
/// answers <c>server/discover</c> itself and lets no handler replace it, so the session's outgoing message filter
/// reshapes that answer on its way out, recognised by the request it answers.
/// </summary>
public sealed class RelayDiscovery(RelayOffered offered)
{
    private const string AnswersDiscover = "shield:answers-discover";

    /// <summary>Has the answers to this session's <c>server/discover</c> requests cut to what it may use.</summary>
    public void Shape(McpServerOptions server, RelaySession relay)
    {
        server.Filters.Message.IncomingFilters.Add(next => (context, cancellationToken) =>
        {
            if (context.JsonRpcMessage is JsonRpcRequest { Method: RequestMethods.ServerDiscover })
            {
                // The answer carries its request's context, and so this mark.
                context.Items[AnswersDiscover] = true;
            }

            return next(context, cancellationToken);
        });
        server.Filters.Message.OutgoingFilters.Add(next => async (context, cancellationToken) =>
        {
            if (context.JsonRpcMessage is JsonRpcResponse { Result: { } result } response && response.Context?.Items?.ContainsKey(AnswersDiscover) == true)
            {
                response.Result = await CutAsync(result, relay, cancellationToken);
            }

            await next(context, cancellationToken);
        });
    }

    private async Task<JsonNode> CutAsync(JsonNode answer, RelaySession relay, CancellationToken cancellationToken)
    {
        var discovered = answer.Deserialize(McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(DiscoverResult))) as DiscoverResult
            ?? throw new McpProtocolException("Shield could not read its own answer to server/discover.", McpErrorCode.InternalError);
        var usable = await offered.UsableServersAsync(relay, cancellationToken);
        var prompts = usable.Any(s => s.PromptCount is not null);
        var resources = usable.Any(s => s.ResourceCount is not null);
        var capabilities = discovered.Capabilities;
        capabilities.Prompts = prompts ? capabilities.Prompts : null;
        capabilities.Resources = resources && capabilities.Resources is { } offeredResources ? new ResourcesCapability { ListChanged = offeredResources.ListChanged } : null;
        capabilities.Completions = prompts || resources ? capabilities.Completions : null;
        return JsonSerializer.SerializeToNode(PrivateCache.Marked(discovered), McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(DiscoverResult)))!;
    }
}

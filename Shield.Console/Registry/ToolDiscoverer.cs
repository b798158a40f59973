using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Shield.Core.Registry;

namespace Shield.Console.Registry;

/// <summary>
/// What a server offers: the tools Shield accepts, those it rejected and why, its prompt and resource counts, and the
/// MCP revision it was discovered with.
/// </summary>
public sealed record DiscoveryListing(IReadOnlyList<ToolDefinition> Tools, IReadOnlyList<RejectedTool> Rejected, int? PromptCount, int? ResourceCount, string? Revision = null);

/// <summary>
/// Connects to a server and reads every page of <c>tools/list</c>, within the configured caps: too many tools, too
/// many pages or a cursor that repeats end the discovery with an error rather than a hang or a partial inventory.
/// Each tool is then screened (<see cref="ToolScreening"/>) and checked against the MCP model the relay serves it in
/// (<see cref="ToolModel"/>); what fails either is rejected with the reason.
/// Discovery negotiates the newest revision the server supports (2026-07-28 through <c>server/discover</c>, else the
/// <c>initialize</c> handshake), whatever revision was recorded before, and reports it.
/// Discovery declares every client capability, so tools a server offers only to clients that can sample, elicit or
/// list roots are inventoried (and reviewed) too; it answers no such request itself.
/// </summary>
public sealed class ToolDiscoverer(UpstreamConnector connector)
{
    public async Task<DiscoveryListing> ListAsync(RegisteredServer server, ToolLimits limits, TimeSpan timeout, Action<string>? standardError, CancellationToken cancellationToken)
    {
        var cap = new AnswerCap(limits.MaxListBytes, $"{RegistryOptions.SectionName}:MaxListBytes");
        await using var client = await ConnectAsync(server, timeout, cap, standardError, cancellationToken);
        List<ToolDefinition> tools = [];
        List<RejectedTool> rejected = [];
        HashSet<string> cursors = new(StringComparer.Ordinal);
        string? cursor = null;
        for (var pages = 1; ; pages++)
        {
            var response = await client.SendRequestAsync(new JsonRpcRequest
            {
                Method = RequestMethods.ToolsList,
                Params = cursor is null ? new JsonObject() : new JsonObject { ["cursor"] = cursor },
            }, cancellationToken);
            var (next, listed, refused) = ToolListParser.ParsePage(response.Result, limits.MaxToolsPerServer - tools.Count - rejected.Count, limits.MaxToolsPerServer, cap);
            tools.AddRange(listed);
            rejected.AddRange(refused);

            if (next is null)
            {
                break;
            }

            if (pages >= limits.MaxPages)
            {
                throw new UpstreamException($"The server's tool list runs past {limits.MaxPages:N0} pages, the limit set by {RegistryOptions.SectionName}:MaxPages.");
            }

            if (!cursors.Add(next))
            {
                throw new UpstreamException("The server's tool list repeats a page cursor, so it would never end.");
            }

            cursor = next;
        }

        var prompts = client.ServerCapabilities.Prompts is null ? null : await CountAsync<ListPromptsRequestParams, ListPromptsResult>(
            (request, token) => client.ListPromptsAsync(request, token), r => (r.Prompts.Count, r.NextCursor), limits, cancellationToken);
        var resources = client.ServerCapabilities.Resources is null ? null : await CountAsync<ListResourcesRequestParams, ListResourcesResult>(
            (request, token) => client.ListResourcesAsync(request, token), r => (r.Resources.Count, r.NextCursor), limits, cancellationToken);
        var (screened, screenedOut) = ToolScreening.Screen(tools, limits);
        List<ToolDefinition> servable = [];
        rejected.AddRange(screenedOut);
        foreach (var tool in screened)
        {
            if (Unservable(client, tool) is { } problem)
            {
                rejected.Add(new RejectedTool(tool.Name, $"Shield cannot serve this tool to agents: {problem}"));
            }
            else
            {
                servable.Add(tool);
            }
        }

        return new DiscoveryListing(servable, rejected, prompts, resources, client.NegotiatedProtocolVersion);
    }

    // What the relay could not list or pin upstream is refused now, with the reason, rather than approved and then broken.
    private static string? Unservable(McpClient client, ToolDefinition tool) =>
        ToolModel.From(tool, out var problem) is { } model ? ToolModel.Pin(client, model) : problem;

    // Prompts and resources are only counted here (the relay serves them); a server that fails to list them keeps its tools.
    private static async Task<int?> CountAsync<TParams, TResult>(
        Func<TParams, CancellationToken, ValueTask<TResult>> list, Func<TResult, (int Count, string? Next)> read, ToolLimits limits, CancellationToken cancellationToken)
        where TParams : PaginatedRequestParams, new()
    {
        var count = 0;
        string? cursor = null;
        try
        {
            for (var pages = 0; pages < limits.MaxPages; pages++)
            {
                var (items, next) = read(await list(new TParams { Cursor = cursor }, cancellationToken));
                count += items;
                if (next is null || next == cursor)
                {
                    return count;
                }

                cursor = next;
            }

            return count;
        }
        catch (ModelContextProtocol.McpException)
        {
            return null;
        }
    }

#pragma warning disable MCP9005 // sampling and roots as 2025-11-25 defines them, for servers that speak it
    // The newest revision first; a server whose answer to the server/discover probe is no answer (an empty result, say:
    // some servers answer every method they do not know that way) is spoken to as 2025-11-25, as a server that refused
    // the probe would be. A server that cannot be reached is not tried twice.
    private async Task<McpClient> ConnectAsync(RegisteredServer server, TimeSpan timeout, AnswerCap cap, Action<string>? standardError, CancellationToken cancellationToken)
    {
        try
        {
            return await connector.ConnectAsync(server, timeout, cap, standardError, cancellationToken, DeclareEverything);
        }
        catch (Exception e) when (e is not (OperationCanceledException or UpstreamException or HttpRequestException or TimeoutException or IOException))
        {
            return await connector.ConnectAsync(server, timeout, cap, standardError, cancellationToken, options =>
            {
                DeclareEverything(options);
                options.ProtocolVersion = UpstreamConnector.Initialize2025;
            });
        }
    }

    private static void DeclareEverything(McpClientOptions options)
    {
        options.ProtocolVersion = null;
        options.Capabilities = new ClientCapabilities { Sampling = new(), Elicitation = new(), Roots = new() };
        options.Handlers.SamplingHandler = (_, _, _) => throw new McpProtocolException(NotAnswered, McpErrorCode.InvalidRequest);
        options.Handlers.ElicitationHandler = (_, _) => throw new McpProtocolException(NotAnswered, McpErrorCode.InvalidRequest);
        options.Handlers.RootsHandler = (_, _) => throw new McpProtocolException(NotAnswered, McpErrorCode.InvalidRequest);
    }
#pragma warning restore MCP9005

    private const string NotAnswered = "Shield is only discovering this server's tools and answers no requests.";
}

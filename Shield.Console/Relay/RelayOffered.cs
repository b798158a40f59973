using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Shield.Core.Policy;
using Shield.Core.Registry;

namespace Shield.Console.Relay;

/// <summary>
/// What the servers a session may use offer besides tools: resources, resource templates, prompts and completions. A
/// session may use a server's resources and prompts while it holds at least one tool of that server that it may call
/// now. Prompts are named like tools (<c>&lt;server&gt;__&lt;prompt&gt;</c>, or their own names when the session's tools
/// come from one server and <see cref="RelayOptions.UnqualifiedNamesForSingleServer"/> is on); resource URIs pass
/// through unchanged and are routed to the server that listed them (or to the only server with resources); a URI two
/// servers list is refused, never guessed.
/// </summary>
public sealed class RelayOffered(RelayCatalog catalog, PolicyStore policy, UpstreamLinks upstreams)
{
    private const int MaxUpstreamPages = 100;

    public async Task<ReadResourceResult> ReadResourceAsync(RequestContext<ReadResourceRequestParams> request, RelaySession relay, RelayReads.Read read, CancellationToken cancellationToken)
    {
        var uri = request.Params!.Uri;
        var (server, client) = await OwnerAsync(request, relay, uri, cancellationToken);
        read.Forwarding(await RegisteredAsync(server, cancellationToken));
        using var hop = upstreams.Onward(client, request.Params.Meta, request.Server);
        return PrivateCache.Marked(await client.ReadResourceAsync(new ReadResourceRequestParams { Uri = uri, Meta = hop.Meta }, cancellationToken));
    }

    /// <summary>
    /// The servers whose resources and prompts the session may use now (it holds a tool of each that it may call), as
    /// registered: what their last discovery found, with no connection opened.
    /// </summary>
    public async Task<List<RegisteredServer>> UsableServersAsync(RelaySession relay, CancellationToken cancellationToken)
    {
        var entries = await catalog.CurrentAsync(cancellationToken);
        var snapshot = policy.Current;
        return [.. relay.ScopeServers.Where(entries.Servers.ContainsKey)
            .Where(server => relay.Scope.Any(q => QualifiedToolName.TryParse(q, out var s, out var t) && s == server &&
                entries.Tools.ContainsKey((s, t)) && snapshot.Decide(relay.Session.AgentName, s, t).Kind != DecisionKind.Deny))
            .Select(server => entries.Servers[server])];
    }

    /// <summary>The upstream sessions of the servers whose resources and prompts the session may use now.</summary>
    private async Task<List<(string Name, McpClient Client)>> UsableServersAsync(McpServer downstream, RelaySession relay, CancellationToken cancellationToken,
        Dictionary<string, UpstreamUnavailableException>? unavailable = null)
    {
        List<(string, McpClient)> usable = [];
        foreach (var server in await UsableServersAsync(relay, cancellationToken))
        {
            try
            {
                usable.Add((server.Name, await upstreams.ClientAsync(relay, server, downstream, cancellationToken)));
            }
            catch (UpstreamUnavailableException e)
            {
                // One unreachable server does not hide the others' resources and prompts.
                unavailable?.Add(server.Name, e);
            }
        }

        return usable;
    }

    public async ValueTask<ListPromptsResult> ListPromptsAsync(RequestContext<ListPromptsRequestParams> request, RelaySession relay, CancellationToken cancellationToken) =>
        PrivateCache.Marked(new ListPromptsResult
        {
            Prompts = await GatherAsync(await UsableServersAsync(request.Server, relay, cancellationToken), c => c.ServerCapabilities.Prompts is not null,
                (client, cursor) => client.ListPromptsAsync(new ListPromptsRequestParams { Cursor = cursor }, cancellationToken),
                (server, page) => page.Prompts.Select(p => relay.SoleServer is null ? Renamed(p, QualifiedToolName.Of(server, p.Name)) : p)),
        });

    public async Task<GetPromptResult> GetPromptAsync(RequestContext<GetPromptRequestParams> request, RelaySession relay, RelayReads.Read read, CancellationToken cancellationToken)
    {
        var parameters = request.Params!;
        if (!relay.TryResolve(parameters.Name, out var server, out var prompt))
        {
            throw new McpProtocolException($"Unknown prompt '{parameters.Name}': prompts are named <server>__<prompt>.", McpErrorCode.InvalidParams);
        }

        Dictionary<string, UpstreamUnavailableException> down = [];
        var client = (await UsableServersAsync(request.Server, relay, cancellationToken, down)).FirstOrDefault(u => u.Name == server).Client;
        if (client is null)
        {
            // Allowed but down is an outage, said as such; otherwise the session may not use the server.
            throw down.TryGetValue(server, out var unreachable) ? unreachable
                : new McpProtocolException($"This session may not use the prompts of '{server}': it holds no tool of that server it may call now.", McpErrorCode.InvalidParams);
        }

        read.Forwarding(await RegisteredAsync(server, cancellationToken));

        using var hop = upstreams.Onward(client, parameters.Meta, request.Server);
        return await client.GetPromptAsync(new GetPromptRequestParams { Name = prompt, Arguments = parameters.Arguments, Meta = hop.Meta }, cancellationToken);
    }

    public async ValueTask<ListResourcesResult> ListResourcesAsync(RequestContext<ListResourcesRequestParams> request, RelaySession relay, CancellationToken cancellationToken) =>
        PrivateCache.Marked(new ListResourcesResult
        {
            Resources = await GatherAsync(await UsableServersAsync(request.Server, relay, cancellationToken), c => c.ServerCapabilities.Resources is not null,
                (client, cursor) => client.ListResourcesAsync(new ListResourcesRequestParams { Cursor = cursor }, cancellationToken),
                (server, page) => page.Resources.Select(r =>
                {
                    relay.Owns(server, r.Uri);
                    return r;
                })),
        });

    public async ValueTask<ListResourceTemplatesResult> ListTemplatesAsync(RequestContext<ListResourceTemplatesRequestParams> request, RelaySession relay, CancellationToken cancellationToken) =>
        PrivateCache.Marked(new ListResourceTemplatesResult
        {
            ResourceTemplates = await GatherAsync(await UsableServersAsync(request.Server, relay, cancellationToken), c => c.ServerCapabilities.Resources is not null,
                (client, cursor) => client.ListResourceTemplatesAsync(new ListResourceTemplatesRequestParams { Cursor = cursor }, cancellationToken),
                (server, page) => page.ResourceTemplates.Select(t =>
                {
                    relay.Owns(server, TemplatePrefix(t.UriTemplate));
                    return t;
                })),
        });

    /// <summary>
    /// Every page (up to <see cref="MaxUpstreamPages"/>) of a list from each server that offers it, as one list. A server
    /// that fails while listing is left out: it never hides the others' items.
    /// </summary>
    private static async Task<List<T>> GatherAsync<TPage, T>(List<(string Name, McpClient Client)> servers, Func<McpClient, bool> offers,
        Func<McpClient, string?, ValueTask<TPage>> page, Func<string, TPage, IEnumerable<T>> items) where TPage : PaginatedResult
    {
        List<T> all = [];
        foreach (var (server, client) in servers.Where(s => offers(s.Client)))
        {
            try
            {
                await foreach (var listed in PagesAsync(cursor => page(client, cursor)))
                {
                    all.AddRange(items(server, listed));
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
            {
                // Left out; the agent still gets what the other servers offer.
            }
        }

        return all;
    }

    public async ValueTask<CompleteResult> CompleteAsync(RequestContext<CompleteRequestParams> request, RelaySession relay, CancellationToken cancellationToken)
    {
        var parameters = request.Params!;
        McpClient client;
        Reference reference;
        if (parameters.Ref is PromptReference prompt)
        {
            if (!relay.TryResolve(prompt.Name, out var server, out var name))
            {
                throw new McpProtocolException($"Unknown prompt '{prompt.Name}'.", McpErrorCode.InvalidParams);
            }

            client = (await UsableServersAsync(request.Server, relay, cancellationToken)).FirstOrDefault(u => u.Name == server).Client
                ?? throw new McpProtocolException($"This session may not use the prompts of '{server}'.", McpErrorCode.InvalidParams);
            reference = new PromptReference { Name = name, Title = prompt.Title };
        }
        else
        {
            (_, client) = await OwnerAsync(request, relay, TemplatePrefix((parameters.Ref as ResourceTemplateReference)?.Uri ?? ""), cancellationToken);
            reference = parameters.Ref;
        }

        using var hop = upstreams.Onward(client, parameters.Meta, request.Server);
        return await client.CompleteAsync(new CompleteRequestParams { Ref = reference, Argument = parameters.Argument, Context = parameters.Context, Meta = hop.Meta }, cancellationToken);
    }

    private async Task<Shield.Core.Registry.RegisteredServer> RegisteredAsync(string server, CancellationToken cancellationToken) =>
        (await catalog.CurrentAsync(cancellationToken)).Servers.GetValueOrDefault(server)
            ?? throw new McpProtocolException($"The server {server} is no longer available.", McpErrorCode.InvalidParams);

    /// <summary>The upstream session of the server that listed <paramref name="uri"/> (or a template it fits) to this session.</summary>
    public async Task<(string Server, McpClient Client)> OwnerAsync<T>(RequestContext<T> request, RelaySession relay, string uri, CancellationToken cancellationToken)
    {
        var owner = relay.OwnerOf(uri) ?? relay.OwnerByTemplate(uri);
        if (owner is "")
        {
            throw new McpProtocolException($"More than one server offers '{uri}'; Shield does not guess which one is meant.", McpErrorCode.InvalidParams);
        }

        Dictionary<string, UpstreamUnavailableException> down = [];
        var usable = (await UsableServersAsync(request.Server, relay, cancellationToken, down)).Where(u => u.Client.ServerCapabilities.Resources is not null).ToList();
        if (owner is not null && down.TryGetValue(owner, out var unreachable))
        {
            throw unreachable;
        }

        // A resource nobody listed yet can belong only to the one server with resources, if there is just one.
        var found = owner is null ? (usable.Count == 1 ? usable[0] : default) : usable.FirstOrDefault(u => u.Name == owner);
        return found.Client is not null ? found : throw new McpProtocolException(
            $"Unknown resource '{uri}': list resources (or resource templates) first; only the resources of servers this session may use are available.",
            McpErrorCode.ResourceNotFound);
    }

    private static string TemplatePrefix(string template)
    {
        var brace = template.IndexOf('{', StringComparison.Ordinal);
        return brace < 0 ? template : template[..brace];
    }

    private static Prompt Renamed(Prompt prompt, string name) => new()
    {
        Name = name,
        Title = prompt.Title,
        Description = prompt.Description,
        Arguments = prompt.Arguments,
        Icons = prompt.Icons,
        Meta = prompt.Meta,
    };

    private static async IAsyncEnumerable<TPage> PagesAsync<TPage>(Func<string?, ValueTask<TPage>> next) where TPage : PaginatedResult
    {
        string? cursor = null;
        for (var page = 0; page < MaxUpstreamPages; page++)
        {
            var result = await next(cursor);
            yield return result;
            cursor = result.NextCursor;
            if (string.IsNullOrEmpty(cursor))
            {
                yield break;
            }
        }
    }
}

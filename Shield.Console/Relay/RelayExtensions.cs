using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using ModelContextProtocol.AspNetCore;
using Shield.Console.Authentication;
using Shield.Console.Hosting;

namespace Shield.Console.Relay;

internal static class RelayExtensions
{
    public const string Endpoint = "/mcp";

    /// <summary>The MCP relay: streamable HTTP with sessions for clients that initialize, stateless for newer revisions.</summary>
    public static void AddRelay(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<RelayOptions>().Bind(builder.Configuration.GetSection(RelayOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RelayOptions>, RelayOptionsValidator>();
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, SessionTokenAuthentication>(SessionTokenAuthentication.SchemeName, null);
        services.AddAuthorization(options => options.AddPolicy(ShieldPolicies.McpSession,
            p => p.AddAuthenticationSchemes(SessionTokenAuthentication.SchemeName).RequireAuthenticatedUser()));
        services.AddSingleton<RelayCatalog>();
        services.AddSingleton<UpstreamLinks>();
        services.AddSingleton<UpstreamErrors>();
        services.AddSingleton<CallsInFlight>();
        services.AddSingleton<CallTrail>();
        services.AddSingleton<CallApproval>();
        services.AddSingleton<RelayCalls>();
        // A call waiting for approval watches the HTTP request that carries it, to be withdrawn when that request ends.
        services.AddHttpContextAccessor();
        services.AddSingleton<RelayReads>();
        services.AddSingleton<RelayOffered>();
        services.AddSingleton<RelayDiscovery>();
        services.AddSingleton<RelayHandlers>();
        // The MCP SDK logs each request and response stream at Information, and every refusal a handler answers with as
        // an error with its stack trace; its client warns on each error an upstream answers. The relay records every
        // outcome in the trail and logs what is unexpected itself, so the SDK's own lines are left out unless
        // configuration asks for them.
        services.DefaultLogLevel("ModelContextProtocol", LogLevel.Warning);
        services.DefaultLogLevel("ModelContextProtocol.Server.McpServer", LogLevel.Critical);
        services.DefaultLogLevel("ModelContextProtocol.Client.McpClient", LogLevel.Error);
        // Events of each response stream are kept while the client may resume it with Last-Event-ID (ResponseStreams).
        services.AddSingleton<ResponseStreams>();
#pragma warning disable MCP9006 // sessions and resumable streams are what 2025-11-25 clients rely on
        services.AddSingleton<ModelContextProtocol.Server.ISseEventStreamStore>(s => s.GetRequiredService<ResponseStreams>());
        services.AddMcpServer()
            .WithHttpTransport(options =>
            {
                options.SessionMode = HttpServerSessionMode.StatefulForInitializeClients;
                // A session no request touched for this long is closed, with its upstream sessions and processes.
                options.IdleTimeout = TimeSpan.FromMinutes(10);
                options.ConfigureSessionOptions = (context, server, cancellationToken) =>
                    context.RequestServices.GetRequiredService<RelayHandlers>().ConfigureAsync(context, server, cancellationToken);
#pragma warning disable MCPEXP002 // the only hook that sees a session end, to close its upstream sessions
                options.RunSessionHandler = (context, server, cancellationToken) =>
                    context.RequestServices.GetRequiredService<RelayHandlers>().RunAsync(context, server, cancellationToken);
#pragma warning restore MCPEXP002
            });
#pragma warning restore MCP9006
    }

    /// <summary>
    /// Refuses <c>/mcp</c> requests from foreign web pages (<see cref="RelayOrigins"/>). It runs before authentication,
    /// so such a request is refused as a whole, whatever credential it carries.
    /// </summary>
    public static void UseRelayOrigins(this WebApplication app) =>
        app.UseWhen(context => context.Request.Path.StartsWithSegments(Endpoint), relay => relay.Use(RelayOrigins.CheckAsync));

    public static void MapRelay(this WebApplication app)
    {
        app.MapProtectedResourceMetadata();
        app.UseWhen(context => context.Request.Path.StartsWithSegments(Endpoint), relay => relay.Use(LimitBodyAsync).Use(HeaderRefusals.RecordAsync));
        app.MapMcp(Endpoint).RequireAuthorization(ShieldPolicies.McpSession);
    }

    /// <summary>Refuses a body over <see cref="RelayOptions.MaxRequestBodyBytes"/> with a JSON-RPC error that names the limit.</summary>
    private static async Task LimitBodyAsync(HttpContext context, RequestDelegate next)
    {
        var limit = context.RequestServices.GetRequiredService<IOptionsMonitor<RelayOptions>>().CurrentValue.MaxRequestBodyBytes;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit;
        }

        if (context.Request.ContentLength > limit)
        {
            await JsonRpcError.WriteAsync(context, StatusCodes.Status413PayloadTooLarge,
                $"The request body is {context.Request.ContentLength:N0} bytes; Shield accepts at most {limit:N0} ({RelayOptions.SectionName}:MaxRequestBodyBytes).");
            return;
        }

        await next(context);
    }
}

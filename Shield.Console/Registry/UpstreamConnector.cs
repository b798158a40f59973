using System.Reflection;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Shield.Core.Registry;

namespace Shield.Console.Registry;

/// <summary>
/// Opens an MCP client session to a registered server with Shield's own credentials for it, speaking the revision its
/// last discovery negotiated (<see cref="RegisteredServer.ProtocolRevision"/>), so no connect pays for a
/// <c>server/discover</c> probe; a server never discovered, or a discovery (which sets no revision), negotiates the
/// newest one the server supports. A stdio server starts
/// with a minimal environment plus its configured variables: it never inherits Shield's own settings or secrets. Over
/// HTTP, no message the server sends may exceed the session's <see cref="AnswerCap"/> (<see cref="UpstreamAnswerLimit"/>).
/// </summary>
public sealed class UpstreamConnector(ISecretProtector secrets, IHttpMessageHandlerFactory httpHandlers, ILoggerFactory logs)
{
    public const string HttpClientName = "upstream";

    /// <summary>The newest revision with the <c>initialize</c> handshake: what a server that cannot answer <c>server/discover</c> is spoken to in.</summary>
    public const string Initialize2025 = "2025-11-25";

    private static readonly Implementation ClientInfo = new()
    {
        Name = "shield",
        Version = typeof(UpstreamConnector).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "1.0.0",
    };

    /// <exception cref="UpstreamException">The server could not be configured, started or reached.</exception>
    /// <param name="cap">The most one message from the server may hold, and the setting that says so.</param>
    /// <param name="configure">
    /// Sets what the client declares and handles (the relay passes its downstream client's capabilities); a null
    /// <see cref="McpClientOptions.ProtocolVersion"/> negotiates the revision afresh.
    /// </param>
    public async Task<McpClient> ConnectAsync(RegisteredServer server, TimeSpan timeout, AnswerCap cap, Action<string>? standardError, CancellationToken cancellationToken,
        Action<McpClientOptions>? configure = null)
    {
        IClientTransport transport = server.Transport == ServerTransport.Http ? HttpTransport(server, cap) : StdioTransport(server, standardError);
        var options = new McpClientOptions { ClientInfo = ClientInfo, ProtocolVersion = server.ProtocolRevision, InitializationTimeout = timeout };
        configure?.Invoke(options);
        if (options.Handlers.NotificationHandlers is { } handlers)
        {
            // Shield's handlers pass the server's notifications on to agents: in the order sent, before what follows.
            transport = new InOrderNotifications(transport, handlers.ToLookup(h => h.Key, h => h.Value, StringComparer.Ordinal));
            options.Handlers.NotificationHandlers = null;
        }

        return await McpClient.CreateAsync(transport, options, logs, cancellationToken);
    }

    private HttpClientTransport HttpTransport(RegisteredServer server, AnswerCap cap)
    {
        if (!Uri.TryCreate(server.Url, UriKind.Absolute, out var endpoint))
        {
            throw new UpstreamException($"The server's URL '{server.Url}' is not an absolute URL.");
        }

        var options = new HttpClientTransportOptions
        {
            Endpoint = endpoint,
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = Resolve(server.Headers, "header", ServerInputCheck.HeaderValueProblem),
            Name = server.Name,
        };
        // The pooled handler of the "upstream" client, behind this session's own cap; disposing the client leaves the pool alone.
        var client = new HttpClient(new UpstreamAnswerLimit(cap.Bytes, cap.Setting) { InnerHandler = httpHandlers.CreateHandler(HttpClientName) }, disposeHandler: false);
        return new HttpClientTransport(options, client, logs, ownsHttpClient: true);
    }

    private StdioClientTransport StdioTransport(RegisteredServer server, Action<string>? standardError)
    {
        if (string.IsNullOrWhiteSpace(server.Command))
        {
            throw new UpstreamException("The server has no command to start.");
        }

        var environment = StdioClientTransportOptions.GetDefaultEnvironmentVariables();
        foreach (var (name, value) in Resolve(server.Environment, "environment variable", ServerInputCheck.VariableValueProblem))
        {
            environment[name] = value;
        }

        return new StdioClientTransport(new StdioClientTransportOptions
        {
            Command = server.Command,
            Arguments = [.. server.Arguments],
            EnvironmentVariables = environment,
            InheritEnvironmentVariables = false,
            ShutdownTimeout = TimeSpan.FromSeconds(2),
            StandardErrorLines = standardError,
            Name = server.Name,
        }, logs);
    }

    /// <summary>Text that quotes the server (its output, its protocol errors) with every credential Shield sends it removed.</summary>
    public string WithoutSecrets(string text, RegisteredServer server)
    {
        foreach (var secret in server.Headers.Concat(server.Environment).Select(s => s.Resolve(secrets, Environment.GetEnvironmentVariable).Value).OfType<string>().Where(v => v.Length >= 4))
        {
            text = text.Replace(secret, "•••", StringComparison.Ordinal);
        }

        return text;
    }

    // Values were checked when entered; a reference's value is only known now, so every value is checked again.
    private Dictionary<string, string> Resolve(IEnumerable<SecretSetting> settings, string kind, Func<string, string, string?> valueProblem)
    {
        Dictionary<string, string> values = new(StringComparer.Ordinal);
        foreach (var setting in settings)
        {
            var resolved = setting.Resolve(secrets, Environment.GetEnvironmentVariable);
            var value = resolved.Value ?? throw new UpstreamException($"The {kind} {resolved.Problem}");
            if (valueProblem(setting.Name, value) is { } problem)
            {
                var source = setting.Reference is { } reference ? $" It comes from {reference} in Shield's environment." : "";
                throw new UpstreamException($"{problem}{source} Shield sends nothing to the server until it is corrected.");
            }

            values[setting.Name] = value;
        }

        return values;
    }
}

/// <summary>The most one message from an upstream server may hold (<see cref="Bytes"/>), and the setting that says so.</summary>
public sealed record AnswerCap(long Bytes, string Setting)
{
    /// <summary>Whether a message of <paramref name="bytes"/> is over the cap.</summary>
    public bool Exceeded(long bytes) => bytes > Bytes;
}

/// <summary>An upstream server could not be configured, started or reached; the message is written for an administrator.</summary>
public sealed class UpstreamException(string message, Exception? inner = null) : Exception(message, inner);

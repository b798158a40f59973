using System.ComponentModel;
using System.Security.Authentication;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using Shield.Core.Registry;

namespace Shield.Console.Registry;

/// <summary>Turns why a discovery failed into one sentence an administrator can act on. Never includes a secret.</summary>
internal static partial class DiscoveryErrors
{
    public static string Describe(Exception error, RegisteredServer server, TimeSpan timeout, string? standardErrorTail) =>
        Within<UpstreamException>(error)?.Message ?? Within<UpstreamAnswerTooLargeException>(error)?.Message ?? Plain(error, server, timeout, standardErrorTail);

    // What the error says when no part of it is one Shield wrote for an administrator.
    private static string Plain(Exception error, RegisteredServer server, TimeSpan timeout, string? standardErrorTail) => error switch
    {
        OperationCanceledException or TimeoutException =>
            $"The server did not answer within {timeout.TotalSeconds:0} seconds ({RegistryOptions.SectionName}:DiscoveryTimeout).{Tail(standardErrorTail)}",
        IOException { InnerException: Win32Exception start } when server.Transport == ServerTransport.Stdio =>
            $"Shield could not start '{server.Command}': {start.Message}.",
        // A process that dies at once surfaces in several ways (exit noticed, broken pipe, closed transport): one message.
        IOException when server.Transport == ServerTransport.Stdio =>
            $"The server process stopped before answering{ExitCode(error)}.{Tail(standardErrorTail)}",
        ClientTransportClosedException => $"The server closed the connection before answering.{Tail(standardErrorTail)}",
        HttpRequestException { InnerException: AuthenticationException tls } =>
            $"The TLS connection to {Host(server)} failed: {tls.Message}",
        HttpRequestException { StatusCode: { } status } =>
            $"{Host(server)} answered HTTP {(int)status} ({status}). Check the URL and the credential headers.",
        HttpRequestException http => $"Shield could not reach {Host(server)}: {http.Message}",
        McpProtocolException protocol => $"The server refused the request: {protocol.Message}",
        McpException mcp => $"The MCP exchange failed: {mcp.Message}",
        JsonException => "The server's answer is not valid JSON.",
        _ => $"Discovery failed unexpectedly ({error.GetType().Name}). See Shield's log for details.",
    };

    // Shield's own refusals (an address it does not connect to, a redirect) arrive wrapped by the HTTP client.
    private static T? Within<T>(Exception? error) where T : Exception => error switch
    {
        null => null,
        T found => found,
        _ => Within<T>(error.InnerException),
    };

    private static string ExitCode(Exception error)
    {
        for (var current = error; current is not null; current = current.InnerException)
        {
            if (current is ClientTransportClosedException { Details: StdioClientCompletionDetails { ExitCode: { } code } })
            {
                return $" (exit code {code})";
            }

            if (ExitCodeText().Match(current.Message) is { Success: true } match)
            {
                return $" (exit code {match.Groups[1].Value})";
            }
        }

        return "";
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"exit code:? (-?\d+)")]
    private static partial System.Text.RegularExpressions.Regex ExitCodeText();

    private static string Host(RegisteredServer server) =>
        Uri.TryCreate(server.Url, UriKind.Absolute, out var url) ? $"{url.Scheme}://{url.Host}:{url.Port}" : "the server";

    private static string Tail(string? standardError) =>
        string.IsNullOrWhiteSpace(standardError) ? "" : $" Its last output: {standardError.Trim()}";
}

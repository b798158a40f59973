using ModelContextProtocol.Client;
using Shield.Console.Registry;
using Shield.Core.Redaction;
using Shield.Core.Registry;
using Shield.Core.Text;

namespace Shield.Console.Relay;

/// <summary>
/// What an upstream failure may say to an agent and to the trail: the error's own text, which can quote the server
/// (its standard error, its protocol errors), with every credential Shield sent that server removed, secrets and
/// personal data masked, and cut to a readable length.
/// </summary>
public sealed class UpstreamErrors(UpstreamConnector connector, RedactorStore redaction)
{
    private const int MaxLength = 500;

    // The SDK's wording around a server's JSON-RPC error, which the agent's own client adds again.
    private const string RemotePrefix = "Request failed (remote): ";

    public string Describe(Exception error, RegisteredServer server) => Clean(error.GetBaseException().Message, server);

    public string Clean(string text, RegisteredServer server)
    {
        text = text.StartsWith(RemotePrefix, StringComparison.Ordinal) ? text[RemotePrefix.Length..] : text;
        return redaction.Current.RedactText(connector.WithoutSecrets(text, server)).Clip(MaxLength);
    }

    /// <summary>The upstream answered 404 for a session it knew: it ended the session, and took nothing sent on it.</summary>
    public static bool SessionGone(Exception error) =>
        error is HttpRequestException { StatusCode: System.Net.HttpStatusCode.NotFound } ||
        (error is ClientTransportClosedException { Details: { } details } && SessionGone(details)) ||
        (error.InnerException is { } inner && SessionGone(inner));

    /// <summary>The upstream session closed because the upstream ended it (404), not because the server failed.</summary>
    public static bool SessionGone(ClientCompletionDetails completion) => completion is HttpClientCompletionDetails { HttpStatusCode: System.Net.HttpStatusCode.NotFound };
}

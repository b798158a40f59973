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

    public string Describe(Exception error, RegisteredServer server) => Clean(error.GetBaseException().Message, server);

    public string Clean(string text, RegisteredServer server)
    {
        return redaction.Current.RedactText(connector.WithoutSecrets(text, server)).Clip(MaxLength);
    }
}

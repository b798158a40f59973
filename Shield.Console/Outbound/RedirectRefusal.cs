using Shield.Console.Registry;
using Shield.Core.Text;

namespace Shield.Console.Outbound;

/// <summary>
/// Turns a redirect from an upstream server into an error that names where it pointed. Shield never follows one: it
/// would carry Shield's credential headers to another origin, or turn a request into one Shield never chose to send.
/// </summary>
internal sealed class RedirectRefusal : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        var status = (int)response.StatusCode;
        if (status is < 300 or > 399 or 304)
        {
            return response;
        }

        var location = response.Headers.Location;
        response.Dispose();
        var from = request.RequestUri!;
        var to = location is null ? "nowhere (no Location header)" : Shown(new Uri(from, location));
        throw new UpstreamException($"{from.GetLeftPart(UriPartial.Authority)} answered HTTP {status}, a redirect to {to}. Shield does not follow redirects, "
            + "which could carry its credentials elsewhere: if the server has moved, register its new URL.");
    }

    // Where it points, without what could be a secret (user information, query) and cut to a readable length.
    private static string Shown(Uri target) => target.IsAbsoluteUri
        ? (target.GetLeftPart(UriPartial.Scheme) + target.Authority + target.AbsolutePath + (target.Query.Length > 0 ? "?…" : "")).Clip(200)
        : "an unreadable location";
}

using Microsoft.AspNetCore.Authorization;

namespace Shield.Console.Authentication;

/// <summary>
/// How scripts authenticate to <c>/api</c>: the scheme that reads their bearer token, and any extra checks made on
/// every call. The console's cookie is deliberately not accepted there, which rules out cross-site request forgery.
/// </summary>
/// <param name="Mode">"local" or "entra".</param>
public sealed record ApiAuthentication(string Mode, string Scheme, IReadOnlyList<IAuthorizationRequirement> Requirements)
{
    public const string Local = "local";
    public const string Entra = "entra";

    public bool IsLocal => Mode == Local;
}

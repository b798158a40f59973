using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Shield.Tests.Infrastructure;

/// <summary>
/// Stands in for a Microsoft Entra ID tenant, offline: a static OpenID configuration with its own signing key,
/// and access tokens signed by it. The console's Entra code runs unchanged against it.
/// </summary>
public sealed class EntraTestIssuer
{
    public const string TenantId = "7f3c1d2e-0000-4000-8000-00000000aa01";
    public const string ClientId = "5b2a9e41-0000-4000-8000-00000000bb02";
    public const string Instance = "https://login.microsoftonline.com/";

    private readonly RsaSecurityKey _key = new(RSA.Create(2048)) { KeyId = "test-key" };

    public string Issuer => $"{Instance}{TenantId}/v2.0";

    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["AzureAd:Instance"] = Instance,
        ["AzureAd:TenantId"] = TenantId,
        ["AzureAd:ClientId"] = ClientId,
        ["AzureAd:CallbackPath"] = "/signin-oidc",
    };

    /// <summary>Points both Entra schemes at the static configuration, so nothing is downloaded.</summary>
    public void ConfigureOffline(IServiceCollection services)
    {
        var configuration = new OpenIdConnectConfiguration
        {
            Issuer = Issuer,
            AuthorizationEndpoint = $"{Instance}{TenantId}/oauth2/v2.0/authorize",
            TokenEndpoint = $"{Instance}{TenantId}/oauth2/v2.0/token",
            EndSessionEndpoint = $"{Instance}{TenantId}/oauth2/v2.0/logout",
        };
        configuration.SigningKeys.Add(_key);
        var manager = new StaticConfigurationManager<OpenIdConnectConfiguration>(configuration);
        services.PostConfigure<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme, options =>
        {
            options.Configuration = configuration;
            options.ConfigurationManager = manager;
            options.TokenValidationParameters.IssuerValidator = null;
            options.TokenValidationParameters.ValidIssuer = Issuer;
        });
        services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, options =>
        {
            options.Configuration = configuration;
            options.ConfigurationManager = manager;
            // Identity.Web's multi-tenant issuer validator downloads Entra's instance metadata itself; offline, the
            // issuer is checked exactly against the tenant's instead. Signature, audience and lifetime checks are unchanged.
            options.TokenValidationParameters.IssuerValidator = null;
            options.TokenValidationParameters.ValidIssuer = Issuer;
        });
    }

    /// <summary>An access token for Shield's API carrying the given app roles.</summary>
    public string AccessToken(string name, params string[] roles) => Token(name, roles, nonce: null, scope: null);

    /// <summary>A client-credentials token of the Entra application <paramref name="clientId"/>, as an agent platform gets one.</summary>
    public string AppToken(string clientId, params string[] roles) => Token(clientId, roles, nonce: null, scope: null, application: clientId);

    /// <summary>An access token with a delegated scope and no app role: a person without a Shield role.</summary>
    public string AccessTokenWithoutRoles(string name) => Token(name, [], nonce: null, scope: "access_as_user");

    /// <summary>The ID token Entra ID would post back to Shield after a person signs in.</summary>
    public string IdToken(string name, string nonce, params string[] roles) => Token(name, roles, nonce, scope: null);

    private string Token(string name, string[] roles, string? nonce, string? scope, string? application = null)
    {
        var claims = new Dictionary<string, object>
        {
            ["tid"] = TenantId,
            ["oid"] = Guid.NewGuid().ToString(),
            ["sub"] = Guid.NewGuid().ToString(),
            ["preferred_username"] = name,
            ["name"] = name,
            ["ver"] = "2.0",
            // An ID token is issued to Shield itself; an access token names the app that asked for it.
            ["azp"] = application ?? (nonce is null ? Guid.NewGuid().ToString() : ClientId),
        };
        if (roles.Length > 0)
        {
            claims["roles"] = roles;
        }

        if (nonce is not null)
        {
            claims["nonce"] = nonce;
        }

        if (scope is not null)
        {
            claims["scp"] = scope;
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = ClientId,
            Claims = claims,
            Expires = DateTime.UtcNow.AddMinutes(10),
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.RsaSha256),
            Subject = new ClaimsIdentity(),
        });
    }
}

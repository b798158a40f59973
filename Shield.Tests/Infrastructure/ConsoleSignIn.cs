using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Shield.Tests.Infrastructure;

/// <summary>Signs in the way people and scripts do: the console's sign-in form, or <c>POST /api/auth/login</c>.</summary>
public static partial class ConsoleSignIn
{
    /// <summary>Posts the sign-in form with its antiforgery token; returns the response (302 on success).</summary>
    public static Task<HttpResponseMessage> PostFormAsync(HttpClient client, string email, string password, string returnUrl = "/") =>
        PostPageFormAsync(client, $"/account/login?returnUrl={Uri.EscapeDataString(returnUrl)}", "signin",
            new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = password });

    /// <summary>Reads a static page's form and posts it back with its antiforgery token, as a browser would.</summary>
    public static async Task<HttpResponseMessage> PostPageFormAsync(HttpClient client, string path, string formName, IReadOnlyDictionary<string, string> fields)
    {
        var page = await client.GetStringAsync(path);
        var form = new Dictionary<string, string>(fields)
        {
            ["_handler"] = formName,
            ["__RequestVerificationToken"] = AntiforgeryToken().Match(page).Groups[1].Value,
        };
        return await client.PostAsync(path, new FormUrlEncodedContent(form));
    }

    /// <summary>A cookie-carrying client signed in to the console.</summary>
    public static async Task<HttpClient> SignedInClientAsync(ShieldAppFactory app, string email, string password)
    {
        var client = app.CreateBrowserLikeClient();
        var response = await PostFormAsync(client, email, password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    public static async Task<JsonElement> LoginAsync(HttpClient client, string email, string password)
    {
        var response = await client.PostAsJsonAsync("/api/auth/login", new { email, password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>A client whose requests carry a bearer token from <c>/api/auth/login</c>.</summary>
    public static async Task<HttpClient> ApiClientAsync(ShieldAppFactory app, string email, string password)
    {
        var client = app.CreateBrowserLikeClient();
        var token = (await LoginAsync(client, email, password)).GetProperty("accessToken").GetString();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}

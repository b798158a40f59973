using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Shield.Tests.Infrastructure;

/// <summary>
/// Lets a test speak from a client address of its choosing (the in-memory test server has none): a request with
/// <c>X-Test-Client-Address</c> arrives from that address.
/// </summary>
internal sealed class TestClientAddress : IStartupFilter
{
    public const string Header = "X-Test-Client-Address";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            if (IPAddress.TryParse(context.Request.Headers[Header].ToString(), out var address))
            {
                context.Connection.RemoteIpAddress = address;
            }

            return nextMiddleware(context);
        });
        next(app);
    };

    /// <summary>A client of the app that speaks from <paramref name="address"/>.</summary>
    public static HttpClient From(ShieldAppFactory app, string address)
    {
        var client = app.CreateBrowserLikeClient();
        client.DefaultRequestHeaders.Add(Header, address);
        return client;
    }
}

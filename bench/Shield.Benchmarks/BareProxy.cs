using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Shield.Benchmarks;

/// <summary>
/// The floor of any relay hop on these cores: a reverse proxy that governs nothing and records nothing, copying each
/// <c>/mcp</c> request's bytes to the upstream and the response's bytes back (server-sent events streamed as they come).
/// </summary>
internal static class BareProxy
{
    private static readonly string[] Forwarded = ["Accept", "Mcp-Session-Id", "Mcp-Protocol-Version", "Last-Event-ID"];

    public static async Task<WebApplication> StartAsync(string upstream)
    {
        var builder = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = Timeout.InfiniteTimeSpan };
        app.Map("/mcp", async context =>
        {
            using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), upstream);
            if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
            {
                request.Content = new StreamContent(context.Request.Body);
                request.Content.Headers.TryAddWithoutValidation("Content-Type", (string?)context.Request.ContentType);
            }

            foreach (var name in Forwarded)
            {
                if (context.Request.Headers.TryGetValue(name, out var value))
                {
                    request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)value);
                }
            }

            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                if (name is not ("Transfer-Encoding" or "Content-Length"))
                {
                    context.Response.Headers[name] = values.ToArray();
                }
            }

            await using var body = await response.Content.ReadAsStreamAsync(context.RequestAborted);
            await body.CopyToAsync(context.Response.Body, context.RequestAborted);
        });
        await app.StartAsync();
        return app;
    }
}

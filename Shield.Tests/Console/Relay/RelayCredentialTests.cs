using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;
using Shield.Console.Registry;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Relay;

/// <summary>The agent's token never leaves Shield: upstreams see Shield's own credentials only.</summary>
public sealed class RelayCredentialTests
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheUpstream_SeesShieldsCredential_AndNeverTheClientsToken()
    {
        await using var relay = await RelayHarness.StartAsync(register: async (app, upstream) =>
        {
            upstream.Set("lookup", "Looks things up.");
            await app.HttpServerAsync("crm", upstream.Url, new SettingInput("Authorization", "Bearer crm-service-credential"));
            await app.DiscoverAsync("crm");
            var review = app.Services.GetRequiredService<ToolReview>();
            foreach (var tool in await app.ToolsAsync("crm"))
            {
                await review.ApproveAsync(tool.Id, tool.Fingerprint, Registrations.Admin, _cancel);
            }

            await app.LowRiskAsync("crm");
        });
        var token = await relay.TokenAsync("crm__lookup");
        await using var client = await relay.ConnectAsync(token);
        var before = relay.Upstream.Requests.Count;

        var result = await client.CallToolAsync("crm__lookup", new Dictionary<string, object?> { ["text"] = "acme" }, cancellationToken: _cancel);

        Assert.Equal("called lookup", Assert.IsType<TextContentBlock>(result.Content[0]).Text);
        var relayed = relay.Upstream.Requests.Skip(before).ToList();
        Assert.NotEmpty(relayed);
        Assert.All(relayed, headers => Assert.Equal("Bearer crm-service-credential", headers["Authorization"]));
        Assert.DoesNotContain(relay.Upstream.Requests, headers => headers.Values.Any(v => v.Contains(token, StringComparison.Ordinal)));

        // An upstream error that quotes Shield's credential, or personal data, reaches the agent cleaned.
        relay.Upstream.OnCall = (_, _) => throw new ModelContextProtocol.McpProtocolException(
            "refused Bearer crm-service-credential for ada@example.com", ModelContextProtocol.McpErrorCode.InvalidRequest);
        var upstreamError = await Assert.ThrowsAsync<ModelContextProtocol.McpProtocolException>(async () =>
            await client.CallToolAsync("crm__lookup", new Dictionary<string, object?> { ["text"] = "x" }, cancellationToken: _cancel));
        Assert.EndsWith("(remote): refused ••• for [REDACTED:email]", upstreamError.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("crm-service-credential", upstreamError.Message, StringComparison.Ordinal);
    }
}

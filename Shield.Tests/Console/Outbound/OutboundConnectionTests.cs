using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using Shield.Console.Outbound;
using Shield.Console.Registry;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Outbound;

/// <summary>
/// What a hostile server or a careless registration cannot make Shield connect to, through discovery and the relay.
/// Shield runs on a loopback socket; every refused destination is refused before a connection is attempted.
/// </summary>
public sealed class OutboundConnectionTests(OutboundConnectionTests.ShieldOnASocket shield) : IClassFixture<OutboundConnectionTests.ShieldOnASocket>
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    private ShieldAppFactory App => shield.App;

    [Theory]
    [InlineData("metadata", "http://169.254.169.254/latest/mcp")]
    [InlineData("mapped", "http://[::ffff:169.254.169.254]/mcp")]
    [InlineData("decimal", "http://2852039166/mcp")]
    [InlineData("named", "http://metadata.test/mcp")]
    public async Task ACloudMetadataAddress_IsRefused_HoweverItIsWritten(string name, string url)
    {
        await App.HttpServerAsync(name, url, new SettingInput("Authorization", "Bearer upstream-secret"));

        var report = await App.DiscoverAsync(name);

        Assert.False(report.Succeeded);
        Assert.StartsWith("Shield does not connect to 169.254.169.254:80", report.Error, StringComparison.Ordinal);
        Assert.Contains("cloud metadata", report.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("denied-literal", "127.0.0.1")]
    [InlineData("denied-by-name", "localhost")]
    public async Task ADenyListedAddress_IsRefused_ByWhatTheNameResolvesTo_AndReceivesNothing(string name, string host)
    {
        await App.HttpServerAsync(name, $"http://{host}:{shield.Denied.Port}/mcp");

        var report = await App.DiscoverAsync(name);

        Assert.False(report.Succeeded);
        Assert.Contains($"in {OutboundOptions.SectionName}:Deny", report.Error, StringComparison.Ordinal);
        Assert.Empty(shield.Denied.Server.Requests);
    }

    [Fact]
    public async Task ShieldsOwnEndpoint_IsRefused_WhileServersOnOtherLoopbackPortsWork()
    {
        await App.HttpServerAsync("itself", shield.Root + "/mcp");
        await using var upstream = await UpstreamServer.StartAsync();
        upstream.Set("echo", "Echoes.");
        await App.HttpServerAsync("neighbour", upstream.Url);

        var itself = await App.DiscoverAsync("itself");
        var neighbour = await App.DiscoverAsync("neighbour");

        Assert.False(itself.Succeeded);
        Assert.Contains("where Shield itself listens", itself.Error, StringComparison.Ordinal);
        Assert.True(neighbour.Succeeded, neighbour.Error);
    }

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(303)]
    [InlineData(307)]
    [InlineData(308)]
    public async Task ARedirect_FailsDiscovery_NamingWhereItPointed_AndTheCredentialGoesNowhereElse(int status)
    {
        await using var upstream = await UpstreamServer.StartAsync();
        await using var elsewhere = await UpstreamServer.StartAsync();
        upstream.Redirect = (status, elsewhere.Url + "?token=abc");
        var name = $"moved-{status}";
        await App.HttpServerAsync(name, upstream.Url, new SettingInput("Authorization", "Bearer upstream-secret"));

        var report = await App.DiscoverAsync(name);

        Assert.False(report.Succeeded);
        Assert.Equal($"{Origin(upstream.Url)} answered HTTP {status}, a redirect to {elsewhere.Url}?…. Shield does not follow redirects, "
            + "which could carry its credentials elsewhere: if the server has moved, register its new URL.", report.Error);
        Assert.Equal("Bearer upstream-secret", Assert.Single(upstream.Requests)["Authorization"]);
        Assert.Empty(elsewhere.Requests);
    }

    [Fact]
    public async Task ARedirectToTheMetadataAddress_IsNotFollowed()
    {
        await using var upstream = await UpstreamServer.StartAsync();
        upstream.Redirect = (302, "http://169.254.169.254/latest/meta-data/iam/security-credentials/");
        await App.HttpServerAsync("to-metadata", upstream.Url);

        var report = await App.DiscoverAsync("to-metadata");

        Assert.StartsWith($"{Origin(upstream.Url)} answered HTTP 302, a redirect to http://169.254.169.254/latest/meta-data/iam/security-credentials/.", report.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AHeaderValueFromShieldsEnvironment_WithALineBreak_IsNeverSent()
    {
        await using var upstream = await UpstreamServer.StartAsync();
        var variable = $"OUTBOUND_TEST_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(variable, "Bearer x\r\nX-Injected: yes");
        try
        {
            await App.HttpServerAsync("injected", upstream.Url, new SettingInput("Authorization", $"${{env:{variable}}}"));

            var report = await App.DiscoverAsync("injected");

            Assert.Equal($"The value of the header 'Authorization' holds a control character (U+000D) at position 9: a header value is printable ASCII, and a line "
                + $"break in one would add headers of its own. It comes from ${{env:{variable}}} in Shield's environment. Shield sends nothing to the server until it is corrected.",
                report.Error);
            Assert.Empty(upstream.Requests);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task ARedirectDuringACall_FailsTheCall_NamingWhereItPointed()
    {
        await using var relay = await RelayHarness.StartAsync();
        await using var elsewhere = await UpstreamServer.StartAsync();
        await using var client = await relay.ConnectAsync(await relay.TokenAsync());
        await client.CallToolAsync("crm__lookup", new Dictionary<string, object?>(), cancellationToken: _cancel);

        relay.Upstream.Redirect = (307, elsewhere.Url);
        var failed = await Assert.ThrowsAsync<McpProtocolException>(async () => await client.CallToolAsync("crm__lookup", new Dictionary<string, object?>(), cancellationToken: _cancel));

        Assert.Contains($"answered HTTP 307, a redirect to {elsewhere.Url}. Shield does not follow redirects", failed.Message, StringComparison.Ordinal);
        Assert.Empty(elsewhere.Requests);
    }

    private static string Origin(string url) => new Uri(url).GetLeftPart(UriPartial.Authority);

    /// <summary>Shield on a loopback socket, with a loopback server on a port it is told never to connect to, and a DNS that points metadata.test at the metadata address.</summary>
    public sealed class ShieldOnASocket : IAsyncLifetime
    {
        public ShieldAppFactory App { get; private set; } = null!;

        public (UpstreamServer Server, int Port) Denied { get; private set; }

        public string Root { get; private set; } = "";

        public async ValueTask InitializeAsync()
        {
            var denied = await UpstreamServer.StartAsync();
            Denied = (denied, new Uri(denied.Url).Port);
            App = new ShieldAppFactory
            {
                Settings = new Dictionary<string, string?>
                {
                    [$"{OutboundOptions.SectionName}:Deny:0"] = $"127.0.0.1:{Denied.Port}",
                    [$"{OutboundOptions.SectionName}:Deny:1"] = $"[::1]:{Denied.Port}",
                },
                TestServices = services => services.AddSingleton<HostLookup>((host, cancellationToken) => host == "metadata.test"
                    ? Task.FromResult<IPAddress[]>([IPAddress.Parse("169.254.169.254")])
                    : Dns.GetHostAddressesAsync(host, cancellationToken)),
            };
            App.UseKestrel(0);
            App.StartServer();
            Root = App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().Replace("localhost", "127.0.0.1", StringComparison.Ordinal);
        }

        public async ValueTask DisposeAsync()
        {
            await App.DisposeAsync();
            await Denied.Server.DisposeAsync();
        }
    }
}

using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Shield.Console.Outbound;
using Shield.Console.Registry;

namespace Shield.Tests.Console.Outbound;

/// <summary>
/// Which addresses the upstream client may connect to, decided on the address a host resolves to. Nothing here
/// connects anywhere: every answer comes before a socket is opened, and host names resolve through a fake lookup.
/// </summary>
public sealed class OutboundPolicyTests
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("169.254.169.254")]
    [InlineData("2852039166")] // decimal
    [InlineData("0xA9FEA9FE")] // hexadecimal
    [InlineData("0251.0376.0251.0376")] // octal
    [InlineData("169.254.43518")] // the last two parts as one number
    [InlineData("::ffff:169.254.169.254")] // IPv4-mapped
    [InlineData("[::ffff:a9fe:a9fe]")]
    [InlineData("::a9fe:a9fe")] // IPv4-compatible
    [InlineData("64:ff9b::a9fe:a9fe")] // NAT64
    [InlineData("2002:a9fe:a9fe::1")] // 6to4
    [InlineData("fd00:ec2::254")]
    [InlineData("[fd00:ec2:0:0:0:0:0:254]")]
    [InlineData("169.254.1.1")]
    [InlineData("fe80::1")]
    [InlineData("100.100.100.200")]
    [InlineData("168.63.129.16")]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    public async Task LinkLocalMetadataAndUnspecifiedAddresses_AreRefusedInEverySpelling(string host)
    {
        var guard = Guard();

        var refused = await Assert.ThrowsAsync<UpstreamException>(() => guard.CheckedAddressesAsync(host, 80, _cancel));

        Assert.StartsWith("Shield does not connect to ", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"{OutboundOptions.SectionName}:Allow", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("192.168.1.10")]
    [InlineData("fd12:3456::1")]
    [InlineData("100.64.0.1")]
    [InlineData("203.0.113.7")]
    public async Task LoopbackPrivateAndPublicAddresses_AreAllowed(string host)
    {
        var addresses = await Guard().CheckedAddressesAsync(host, 80, _cancel);

        Assert.Equal(IPAddress.Parse(host), Assert.Single(addresses));
    }

    [Fact]
    public async Task AName_IsJudgedByTheAddressesItResolvesTo_AndOneRefusedAddressRefusesTheName()
    {
        var guard = Guard(lookup: (host, _) => Task.FromResult<IPAddress[]>(host == "crm.example"
            ? [IPAddress.Parse("10.0.0.5"), IPAddress.Parse("::ffff:169.254.169.254")]
            : [IPAddress.Parse("10.0.0.6")]));

        var refused = await Assert.ThrowsAsync<UpstreamException>(() => guard.CheckedAddressesAsync("crm.example", 443, _cancel));

        Assert.StartsWith("Shield does not connect to 169.254.169.254:443 (the address of crm.example): it is a link-local address", refused.Message, StringComparison.Ordinal);
        Assert.Equal([IPAddress.Parse("10.0.0.6")], await guard.CheckedAddressesAsync("other.example", 443, _cancel));
    }

    [Theory]
    // An exception narrower than the default refusal; allowing everything does not allow metadata.
    [InlineData("169.254.10.5", "169.254.10.5", "", true)]
    [InlineData("169.254.169.254", "169.254.10.5", "", false)]
    [InlineData("169.254.169.254", "0.0.0.0/0", "", false)]
    [InlineData("169.254.10.5", "169.254.10.5:8080", "", false)]
    [InlineData("169.254.10.5", "appliance.internal", "", true)]
    // Refusals of one's own; the more specific entry decides, and a tie refuses.
    [InlineData("10.1.2.3", "", "10.0.0.0/8", false)]
    [InlineData("10.1.2.3", "10.1.0.0/16", "0.0.0.0/0", true)]
    [InlineData("10.2.0.1", "10.1.0.0/16", "0.0.0.0/0", false)]
    [InlineData("10.1.2.3", "10.1.2.3", "10.1.2.3", false)]
    [InlineData("127.0.0.1", "", "127.0.0.1:9000", false)]
    [InlineData("127.0.0.1", "", "127.0.0.1:9001", true)]
    [InlineData("127.0.0.1", "", "appliance.internal", false)]
    [InlineData("::ffff:10.1.2.3", "", "10.0.0.0/8", false)]
    [InlineData("fd12::1", "", "[fd12::1]:9000", false)]
    [InlineData("fd12::1", "", "fd00::/8", false)]
    public async Task AllowAndDenyEntries_WidenOrNarrowTheDefaults(string address, string allow, string deny, bool allowed)
    {
        var guard = Guard(Entries(allow), Entries(deny), (_, _) => Task.FromResult<IPAddress[]>([IPAddress.Parse(address)]));

        var checking = guard.CheckedAddressesAsync("appliance.internal", 9000, _cancel);

        if (allowed)
        {
            await checking;
        }
        else
        {
            await Assert.ThrowsAsync<UpstreamException>(() => checking);
        }
    }

    [Fact]
    public async Task ARefusalByEntry_NamesTheEntry()
    {
        var refused = await Assert.ThrowsAsync<UpstreamException>(() => Guard(deny: ["10.0.0.0/8"]).CheckedAddressesAsync("10.9.8.7", 80, _cancel));

        Assert.Equal($"Shield does not connect to 10.9.8.7:80: it matches '10.0.0.0/8' in {OutboundOptions.SectionName}:Deny.", refused.Message);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000", "127.0.0.1", 5000, true)]
    [InlineData("http://127.0.0.1:5000", "::ffff:127.0.0.1", 5000, true)]
    [InlineData("http://127.0.0.1:5000", "0.0.0.0", 5000, true)]
    [InlineData("http://127.0.0.1:5000", "127.0.0.1", 5001, false)]
    [InlineData("http://127.0.0.1:5000", "127.0.0.2", 5000, false)]
    [InlineData("http://localhost:5000", "::1", 5000, true)]
    [InlineData("http://localhost:5000", "127.0.0.1", 5000, true)]
    [InlineData("http://[::]:5000", "127.0.0.1", 5000, true)]
    [InlineData("http://*:5000", "::1", 5000, true)]
    [InlineData("http://[::]:5000", "10.255.255.254", 5000, false)]
    public void ShieldsOwnEndpoints_AreItsBoundAddressesOnItsPorts(string binding, string address, int port, bool own) =>
        Assert.Equal(own, OwnEndpoints.Contains([binding], IPAddress.Parse(address), port));

    [Fact]
    public async Task ShieldsOwnEndpoint_IsRefused_WhateverTheEntries()
    {
        var guard = Guard(allow: ["127.0.0.1:5000"], own: ["http://127.0.0.1:5000"]);

        var refused = await Assert.ThrowsAsync<UpstreamException>(() => guard.CheckedAddressesAsync("127.0.0.1", 5000, _cancel));

        Assert.Contains("where Shield itself listens", refused.Message, StringComparison.Ordinal);
        await guard.CheckedAddressesAsync("127.0.0.1", 5001, _cancel);
    }

    [Fact]
    public void InvalidEntries_StopTheStart_NamingEachAndHowToWriteIt()
    {
        var services = Services(["10.0.0.1/8", "crm.internal:99999"], ["not a host", ""]);

        var failure = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<OutboundOptions>>().Value);

        Assert.Equal(
        [
            "Shield:Outbound:Allow:0 is '10.0.0.1/8': '10.0.0.1/8' is not a CIDR range with its host bits zero, such as 10.0.0.0/8 or fd00::/8; write an address, a CIDR range or a host name, optionally with a port: 169.254.10.5, 10.0.0.0/8, [fd00::1]:8443, crm.internal:443.",
            "Shield:Outbound:Allow:1 is 'crm.internal:99999': the port must be a number from 1 to 65535; write an address, a CIDR range or a host name, optionally with a port: 169.254.10.5, 10.0.0.0/8, [fd00::1]:8443, crm.internal:443.",
            "Shield:Outbound:Deny:0 is 'not a host': 'not a host' is neither an address, a CIDR range nor a host name; write an address, a CIDR range or a host name, optionally with a port: 169.254.10.5, 10.0.0.0/8, [fd00::1]:8443, crm.internal:443.",
            "Shield:Outbound:Deny:1 is '': it is empty; write an address, a CIDR range or a host name, optionally with a port: 169.254.10.5, 10.0.0.0/8, [fd00::1]:8443, crm.internal:443.",
        ], failure.Failures);
    }

    private static string[] Entries(string entries) => entries.Length == 0 ? [] : [entries];

    private static OutboundGuard Guard(string[]? allow = null, string[]? deny = null, HostLookup? lookup = null, string[]? own = null) =>
        Services(allow ?? [], deny ?? [], lookup, own).GetRequiredService<OutboundGuard>();

    // The console's own registration, with a lookup that fails the test if a literal address would be looked up.
    private static ServiceProvider Services(string[] allow, string[] deny, HostLookup? lookup = null, string[]? own = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(
            allow.Select((entry, i) => KeyValuePair.Create<string, string?>($"{OutboundOptions.SectionName}:Allow:{i}", entry))
            .Concat(deny.Select((entry, i) => KeyValuePair.Create<string, string?>($"{OutboundOptions.SectionName}:Deny:{i}", entry)))).Build();
        var services = new ServiceCollection();
        services.AddSingleton<HostLookup>(lookup ?? ((host, _) => throw new InvalidOperationException($"{host} was looked up.")));
        services.AddSingleton<IServer>(new Listening(own ?? []));
        services.AddHttpClient("test").WithOutboundPolicy(configuration);
        return services.BuildServiceProvider();
    }

    private sealed class Listening : IServer
    {
        public Listening(string[] addresses)
        {
            var feature = new ServerAddressesFeature();
            foreach (var address in addresses)
            {
                feature.Addresses.Add(address);
            }

            Features.Set<IServerAddressesFeature>(feature);
        }

        public IFeatureCollection Features { get; } = new FeatureCollection();

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }
}

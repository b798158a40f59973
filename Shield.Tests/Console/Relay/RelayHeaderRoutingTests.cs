using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ModelContextProtocol.Protocol;
using Shield.Core.Auditing;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Relay;

/// <summary>
/// A request of the 2026-07-28 revision names its method and target in headers too (<c>Mcp-Method</c>, <c>Mcp-Name</c>),
/// for routers on the way; Shield refuses one whose headers say something other than its body, before any decision,
/// so that nothing between the agent and Shield can be steered by headers that lie.
/// </summary>
public sealed class RelayHeaderRoutingTests
{
    private const string Call = """{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"crm__lookup","arguments":{"text":"a"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"raw","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}}}""";

    [Theory]
    [InlineData("tools/list", "crm__lookup")]
    [InlineData("tools/call", "crm__export")]
    public async Task ARequestWhoseHeadersDisagreeWithItsBody_IsRefusedWithTheSpecificationsError_AndNothingIsCalled(string method, string name)
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var relay = await RelayHarness.StartAsync();
        var calls = 0;
        relay.Upstream.OnCall = (_, _) =>
        {
            Interlocked.Increment(ref calls);
            return ValueTask.FromResult(new CallToolResult());
        };
        using var http = new HttpClient { BaseAddress = new Uri(relay.Root) };

        using var response = await http.SendAsync(Request(await relay.TokenAsync("crm__lookup", "crm__export"), method, name), cancel);

        var body = await response.Content.ReadAsStringAsync(cancel);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("-32020", body, StringComparison.Ordinal);
        Assert.Contains("mismatch", body, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, calls);
        // Recorded before the answer ends: the transport's refusal is read once it is written, and the record handed to the writer then.
        var refused = Assert.Single(await relay.App.RecordsAsync(AuditEventTypes.RequestRefused));
        Assert.Equal(("invoice-bot", method, name, "Deny", "refused"), (refused.ActorName, refused.Action, refused.SubjectKey, refused.Decision, refused.Outcome));
        Assert.Contains("mismatch", refused.Reason, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(await relay.TrailAsync(), r => r.EventType.StartsWith("tool-call.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARequestWhoseHeadersAgreeWithItsBody_IsServed_AndNothingIsRecordedAsRefused()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var relay = await RelayHarness.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(relay.Root) };

        using var response = await http.SendAsync(Request(await relay.TokenAsync("crm__lookup"), "tools/call", "crm__lookup"), cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("called lookup", await response.Content.ReadAsStringAsync(cancel), StringComparison.Ordinal);
        Assert.Empty(await relay.App.RecordsAsync(AuditEventTypes.RequestRefused));
    }

    private static HttpRequestMessage Request(string token, string method, string name)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent(Call, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        request.Headers.Add("MCP-Protocol-Version", "2026-07-28");
        request.Headers.Add("Mcp-Method", method);
        request.Headers.Add("Mcp-Name", name);
        return request;
    }
}

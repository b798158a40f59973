using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Agents;
using Shield.Console.Common;
using Shield.Console.Grants;
using Shield.Core.Grants;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Grants;

public sealed class GrantBookTests(ShieldAppFactory app) : IClassFixture<ShieldAppFactory>, IAsyncLifetime
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;
    private UpstreamServer _upstream = default!;

    private GrantBook Grants => app.Services.GetRequiredService<GrantBook>();

    public async ValueTask InitializeAsync()
    {
        _upstream = await UpstreamServer.StartAsync();
        if ((await app.ToolsAsync("grants-crm")).Count == 0)
        {
            await app.ApprovedToolsAsync("grants-crm", _upstream, "lookup", "gone");
            _upstream.Remove("gone");
            await app.DiscoverAsync("grants-crm");
            await app.Services.GetRequiredService<AgentDirectory>().CreateAsync(new AgentInput("grant-bot", null, null, [], true), Registrations.Admin, _cancel);
        }
    }

    [Theory]
    [InlineData(SubjectKind.Agent, "ghost-bot", "grants-crm", "lookup", "subject")]
    [InlineData(SubjectKind.Role, "Not A Role", "grants-crm", "lookup", "subject")]
    [InlineData(SubjectKind.Agent, "grant-bot", "nowhere", "lookup", "server")]
    [InlineData(SubjectKind.Agent, "grant-bot", "grants-crm", "nope", "tool")]
    [InlineData(SubjectKind.Agent, "grant-bot", "grants-crm", "gone", "tool")]
    public async Task AGrantNamingSomethingUnknownOrRemoved_IsRefused_NamingTheField(SubjectKind kind, string subject, string server, string tool, string field)
    {
        var result = await Grants.AddAsync(new GrantInput(kind, subject, server, tool, GrantEffect.Allow), Registrations.Admin, _cancel);

        Assert.Equal(RefusalKind.Invalid, result.Refusal?.Kind);
        Assert.True(result.Refusal!.Errors!.ContainsKey(field));
    }

    [Fact]
    public async Task OneGrantPerSubjectAndTarget_AndAServerWideGrantIsAllowed()
    {
        var first = await Grants.AddAsync(new GrantInput(SubjectKind.Role, "ops", "grants-crm", Grant.AllTools, GrantEffect.Approve), Registrations.Admin, _cancel);
        var again = await Grants.AddAsync(new GrantInput(SubjectKind.Role, "ops", "grants-crm", Grant.AllTools, GrantEffect.Deny), Registrations.Admin, _cancel);

        Assert.Equal("role:ops → grants-crm__* approve", first.Value!.Description);
        Assert.Equal(RefusalKind.Conflict, again.Refusal?.Kind);
    }

    public async ValueTask DisposeAsync() => await _upstream.DisposeAsync();
}

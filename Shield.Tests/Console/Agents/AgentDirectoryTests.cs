using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Agents;
using Shield.Console.Common;
using Shield.Core.Agents;
using Shield.Core.Persistence;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Agents;

public sealed class AgentDirectoryTests(ShieldAppFactory app) : IClassFixture<ShieldAppFactory>
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    private AgentDirectory Agents => app.Services.GetRequiredService<AgentDirectory>();

    [Fact]
    public async Task TheKey_IsShownOnce_AndStoredOnlyAsItsHash()
    {
        var created = (await Agents.CreateAsync(new AgentInput("hashed-bot", "Does things", "ops@shield.test", ["b", "a"], true), Registrations.Admin, _cancel)).Value!;

        Assert.StartsWith("shk_", created.Key, StringComparison.Ordinal);
        Assert.True(SecretToken.LooksLike(created.Key, SecretToken.AgentKeyPrefix));
        Assert.Equal(["a", "b"], created.Agent.Roles);
        Assert.True(created.Agent.HasKey);
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContextAsync(_cancel);
        var stored = await db.Agents.SingleAsync(a => a.Name == "hashed-bot", _cancel);
        Assert.Equal(SecretToken.Hash(created.Key), stored.KeySha256);
        var history = string.Join(" ", await db.GovernanceChanges.Where(c => c.SubjectKey == "hashed-bot").Select(c => c.After).ToListAsync(_cancel));
        Assert.DoesNotContain(created.Key, history, StringComparison.Ordinal);
        Assert.DoesNotContain(stored.KeySha256!, history, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Bad Name", null, null, "name")]
    [InlineData("good-bot", "UPPER", null, "roles")]
    [InlineData("owned-bot", null, "finance", "owner")]
    [InlineData("owned-bot", null, "Rita <rita@>", "owner")]
    public async Task BadNamesRolesAndOwners_AreRefused(string name, string? role, string? owner, string field)
    {
        var result = await Agents.CreateAsync(new AgentInput(name, null, owner, role is null ? [] : [role], true), Registrations.Admin, _cancel);

        Assert.Equal(RefusalKind.Invalid, result.Refusal?.Kind);
        Assert.True(result.Refusal!.Errors!.ContainsKey(field));
    }

    [Fact]
    public async Task TheOwner_IsStoredAsOnePerson_WhateverTheSpelling()
    {
        var created = await Agents.CreateAsync(new AgentInput("rita-bot", null, " Rita R. <Ri\u200Bta@Example.COM> ", [], true), Registrations.Admin, _cancel);
        var updated = await Agents.UpdateAsync("rita-bot", new AgentInput("rita-bot", null, "ＲＩＴＡ@example.com", [], true), Registrations.Admin, _cancel);

        Assert.Equal("rita@example.com", created.Value!.Agent.Owner);
        Assert.Equal("rita@example.com", updated.Value!.Owner);
    }

    [Fact]
    public async Task RevokingTheKey_LeavesTheAgentWithoutOne()
    {
        await Agents.CreateAsync(new AgentInput("keyless-bot", null, null, [], true), Registrations.Admin, _cancel);

        var revoked = await Agents.RevokeKeyAsync("keyless-bot", Registrations.Admin, _cancel);

        Assert.False(revoked.Value!.HasKey);
    }
}

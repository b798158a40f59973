using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Common;
using Shield.Console.Grants;
using Shield.Core.Grants;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Grants;

/// <summary>
/// A grant's condition is checked when written against the input schemas the npm reference server really publishes
/// (get-sum takes numbers a and b; echo takes a string message), through the console's book of grants.
/// </summary>
public sealed class GrantConditionTests(ShieldAppFactory app) : IClassFixture<ShieldAppFactory>, IAsyncLifetime
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        if ((await app.ToolsAsync("everything")).Count == 0)
        {
            await app.StdioServerAsync("everything", "node", [NodeTools.EverythingServer, "stdio"]);
            await app.ApproveDiscoveredAsync("everything");
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public static TheoryData<string, string, string?> Conditions() => new()
    {
        { "get-sum", "args.a + args.b <= 10", null },
        { "get-sum", "args.a == 'x'", "Against the input schema of everything__get-sum: args.a (a number) is compared with 'x' (a string): they can never be equal. (at character 1)" },
        { "get-sum", "args.amount > 3", "Against the input schema of everything__get-sum: args.amount is not an argument of this tool: its input schema declares no 'amount' (it declares a, b). (at character 1)" },
        { "echo", "args.message.startsWith('hi') && size(args.message) < 100", null },
        { "echo", "args.message > 3", "Against the input schema of everything__echo: args.message (a string) is compared with 3 (a number): '>' orders two numbers or two strings. (at character 1)" },
        { "*", "args.message.contains('secret')", null },
        { "*", "args.nothing > 1", "The condition fits no tool of everything, so the grant on * could never apply" },
        { "echo", "args.message.contains(", "The condition ends too soon: expected a value. (at character 23)" },
    };

    [Theory]
    [MemberData(nameof(Conditions))]
    public async Task AConditionIsCheckedAgainstTheToolsPinnedSchema_WithItsFieldNamed(string tool, string when, string? refusal)
    {
        var role = "r" + Guid.NewGuid().ToString("N")[..8];

        var result = await app.Services.GetRequiredService<GrantBook>().AddAsync(new GrantInput(SubjectKind.Role, role, "everything", tool, GrantEffect.Allow, when), Registrations.Admin, _cancel);

        if (refusal is null)
        {
            Assert.Null(result.Refusal);
            Assert.Equal(when, result.Value!.When);
        }
        else
        {
            Assert.Equal(RefusalKind.Invalid, result.Refusal!.Kind);
            Assert.StartsWith(refusal, Assert.Single(result.Refusal.Errors!["when"]), StringComparison.Ordinal);
        }
    }
}

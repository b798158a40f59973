using Bunit;
using Shield.Console.Components.Layout;
using Shield.Core.Accounts;

namespace Shield.Tests.Console.Components.Layout;

public sealed class NavMenuTests : ComponentTestContext
{
    public static TheoryData<string[], string[]> Visible => new()
    {
        { [ShieldRoles.Admin], ["Dashboard", "Servers", "Tools", "Agents & Grants", "Sessions", "Audit", "Posture", "Users & Settings"] },
        { [ShieldRoles.Reviewer], ["Dashboard", "Approvals"] },
        { [ShieldRoles.Auditor], ["Dashboard", "Servers", "Tools", "Agents & Grants", "Sessions", "Audit", "Posture"] },
        { [ShieldRoles.Admin, ShieldRoles.Reviewer], ["Dashboard", "Servers", "Tools", "Agents & Grants", "Sessions", "Approvals", "Audit", "Posture", "Users & Settings"] },
        { [], [] },
    };

    [Theory]
    [MemberData(nameof(Visible))]
    public void EachRole_SeesOnlyItsAreas(string[] roles, string[] expected)
    {
        var menu = RenderAs<NavMenu>(roles);

        Assert.Equal(expected, menu.FindAll("a.mud-nav-link").Select(a => a.TextContent.Trim()));
    }
}

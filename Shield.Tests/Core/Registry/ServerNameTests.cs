using Shield.Core.Registry;

namespace Shield.Tests.Core.Registry;

public sealed class ServerNameTests
{
    [Theory]
    [InlineData("crm")]
    [InlineData("github-issues")]
    [InlineData("a1")]
    public void Slugs_AreAccepted(string name) => Assert.Null(ServerName.Problem(name));

    [Theory]
    [InlineData("")]
    [InlineData("CRM")]
    [InlineData("1crm")]
    [InlineData("crm--prod")]
    [InlineData("crm-")]
    [InlineData("crm__x")]
    [InlineData("crm x")]
    [InlineData("ççç")]
    [InlineData("a-very-long-server-name-that-goes-on-and-on-beyond-the-limit")]
    public void EverythingElse_IsRefusedWithAReason(string name) => Assert.NotNull(ServerName.Problem(name));
}

using Shield.Core.Registry;

namespace Shield.Tests.Core.Registry;

public sealed class SecretSettingTests
{
    private sealed class Reversing : ISecretProtector
    {
        public string Protect(string secret) => new([.. secret.Reverse()]);

        public string Unprotect(string protectedSecret) => new([.. protectedSecret.Reverse()]);
    }

    [Fact]
    public void References_AreKeptAsWritten_AndResolvedFromTheEnvironment()
    {
        var setting = SecretSetting.From("Authorization", "${env:CRM_TOKEN}", new Reversing());

        Assert.Equal("${env:CRM_TOKEN}", setting.Reference);
        Assert.Null(setting.ProtectedValue);
        Assert.Equal("Bearer abc", setting.Resolve(new Reversing(), name => name == "CRM_TOKEN" ? "Bearer abc" : null).Value);
        Assert.Contains("CRM_TOKEN, which is not set", setting.Resolve(new Reversing(), _ => null).Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Bearer s3cret")]
    [InlineData("${env:lower-case-is-not-a-reference}")]
    [InlineData("prefix ${env:TOKEN}")]
    public void LiteralValues_AreStoredOnlyProtected(string value)
    {
        var setting = SecretSetting.From("Authorization", value, new Reversing());

        Assert.Null(setting.Reference);
        Assert.NotEqual(value, setting.ProtectedValue);
        Assert.Equal(value, setting.Resolve(new Reversing(), _ => null).Value);
    }
}

using System.Reflection;
using Shield.Core.Auditing;

namespace Shield.Tests.Core.Auditing;

public sealed class AuditEventTypesTests
{
    // The Audit page's filter and the API's eventType check offer exactly these.
    [Fact]
    public void All_ListsEveryEventType_Once()
    {
        var declared = typeof(AuditEventTypes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).Order(StringComparer.Ordinal);

        Assert.Equal(declared, AuditEventTypes.All.Order(StringComparer.Ordinal));
        Assert.All(AuditEventTypes.Security, t => Assert.Contains(t, AuditEventTypes.All));
    }
}

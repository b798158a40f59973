using System.Text;
using Shield.Core.Auditing;
using Shield.Core.Siem;

namespace Shield.Tests.Core.Siem;

public sealed class CefFormatTests
{
    [Fact]
    public void ARecord_IsOneCefLine_WithItsHeaderAndExtensionEscaped()
    {
        var record = OcsfFormatTests.Call();

        var line = Encoding.UTF8.GetString(new CefFormat("1.2|3").Record(record));

        Assert.DoesNotContain('\n', line);
        Assert.StartsWith(@"CEF:0|Shield|Shield|1.2\|3|tool-call.denied|tool-call.denied by agent billing-bot on files__delete: No grant allows files__delete \| ""quoted"" = x next line|3|", line, StringComparison.Ordinal);
        Assert.Contains(@" reason=No grant allows files__delete | ""quoted"" \= x\nnext line ", line, StringComparison.Ordinal);
        Assert.Contains(" externalId=42 ", line, StringComparison.Ordinal);
        Assert.Contains($" cs4Label=hash cs4={record.Hash} ", line, StringComparison.Ordinal);
        Assert.Contains(" act=Deny outcome=refused ", line, StringComparison.Ordinal);
    }

    [Fact]
    public void AnAnchor_CarriesItsSequenceHashKeyAndSignature()
    {
        var key = AuditChainKey.Of(new byte[32], AuditKeySource.File);
        var anchor = AuditAnchor.Signed(AuditAnchorKind.Checkpoint, 9, new string('c', 64), DateTime.UtcNow, key);

        var line = Encoding.UTF8.GetString(new CefFormat("1").Anchor(anchor));

        Assert.StartsWith("CEF:0|Shield|Shield|1|audit.checkpoint|", line, StringComparison.Ordinal);
        Assert.Contains($"externalId=9 cat=audit.checkpoint cs4Label=hash cs4={anchor.Hash} cs5Label=keyId cs5={key.Id} cs6Label=signature cs6={anchor.Signature}", line, StringComparison.Ordinal);
    }
}

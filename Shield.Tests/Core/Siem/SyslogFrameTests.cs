using System.Buffers;
using System.Text;
using Shield.Core.Siem;

namespace Shield.Tests.Core.Siem;

public sealed class SyslogFrameTests
{
    [Fact]
    public void AMessage_IsCountedInBytes_AndCarriesFacilityLogAuditAndTheEventTypeAsMessageId()
    {
        var output = new ArrayBufferWriter<byte>();

        SyslogFrame.Write(output, 5, new DateTime(2026, 11, 25, 8, 0, 0, DateTimeKind.Utc).AddTicks(1234567), "host one", "tool-call.denied", Encoding.UTF8.GetBytes("déjà\nvu"));

        var text = Encoding.UTF8.GetString(output.WrittenSpan);
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        Assert.Equal(output.WrittenCount - space - 1, int.Parse(text[..space], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("<109>1 2026-11-25T08:00:00.123456Z hostone shield - tool-call.denied - déjà\nvu", text[(space + 1)..]);
    }
}

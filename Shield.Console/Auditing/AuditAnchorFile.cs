using System.Text;
using Shield.Core.Auditing;

namespace Shield.Console.Auditing;

/// <summary>
/// The anchor file: every signed checkpoint, one JSON line each, appended and flushed to disk before Shield goes on.
/// It lives outside the database (<c>Shield:Audit:AnchorFile</c>), so whoever can write the database cannot make the
/// trail agree with it. Only the writer appends; anyone may read while it does.
/// </summary>
public sealed class AuditAnchorFile(string path)
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public string Path { get; } = path;

    public bool Exists => File.Exists(Path);

    /// <summary>
    /// Appends one line and waits until it is on disk. A line an earlier write left cut short (a crash, a full disk) is
    /// ended first, so the new line stays readable.
    /// </summary>
    public void Append(AuditAnchor anchor)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        using var file = new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 4096, FileOptions.WriteThrough);
        var line = anchor.ToLine() + "\n";
        if (file.Length > 0)
        {
            file.Position = file.Length - 1;
            if (file.ReadByte() != '\n')
            {
                line = "\n" + line;
            }
        }

        file.Position = file.Length;
        file.Write(Utf8.GetBytes(line));
        file.Flush(flushToDisk: true);
    }

    /// <summary>The file's length now: reading up to it leaves out lines written later.</summary>
    public long Length => Exists ? new FileInfo(Path).Length : 0;

    /// <summary>Every complete line in file order, up to <paramref name="limit"/> bytes; a last line cut short by a crash is left out.</summary>
    public IEnumerable<AuditAnchor> ReadAll(long limit = long.MaxValue)
    {
        if (!Exists)
        {
            yield break;
        }

        using var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(file, Utf8);
        var length = Math.Min(file.Length, limit);
        var number = 0L;
        var consumed = 0L;
        while (reader.ReadLine() is { } line)
        {
            number++;
            consumed += Utf8.GetByteCount(line) + 1;
            if (consumed > length)
            {
                yield break; // no newline after it: a write cut short
            }

            if (line.Length > 0)
            {
                yield return AuditAnchor.Parse(line, number);
            }
        }
    }

    /// <summary>The lines still in force, in file order (a reset voids earlier lines of records after it).</summary>
    public IEnumerable<AuditAnchor> InForce(long limit = long.MaxValue) =>
        AuditAnchor.InForce([.. ReadAll(limit).Where(a => a.Kind == AuditAnchorKind.Reset)], ReadAll(limit));

    /// <summary>
    /// The last complete line: the newest record Shield anchored (a checkpoint, or a reset naming where the trail went
    /// on after acknowledged tampering). Read from the end, so a long file costs nothing at start.
    /// </summary>
    public AuditAnchor? Last()
    {
        if (!Exists)
        {
            return null;
        }

        using var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var end = file.Length;
        var tail = new List<byte>();
        var buffer = new byte[4096];
        // Find the last newline: what follows it is a write cut short; the line before it is the last complete one.
        long lastNewline = -1;
        for (var position = end; position > 0 && lastNewline < 0;)
        {
            var count = (int)Math.Min(buffer.Length, position);
            position -= count;
            file.Position = position;
            file.ReadExactly(buffer, 0, count);
            var index = Array.LastIndexOf(buffer, (byte)'\n', count - 1);
            if (index >= 0)
            {
                lastNewline = position + index;
            }
        }

        if (lastNewline < 0)
        {
            return null;
        }

        // Read back to the newline before it.
        var start = lastNewline;
        while (start > 0)
        {
            var count = (int)Math.Min(buffer.Length, start);
            file.Position = start - count;
            file.ReadExactly(buffer, 0, count);
            var index = Array.LastIndexOf(buffer, (byte)'\n', count - 1);
            tail.InsertRange(0, buffer.AsSpan(index + 1, count - index - 1).ToArray());
            start -= count;
            if (index >= 0)
            {
                start += index + 1;
                break;
            }
        }

        var text = Utf8.GetString([.. tail]).Trim();
        return text.Length == 0 ? null : AuditAnchor.Parse(text, line: 0);
    }
}

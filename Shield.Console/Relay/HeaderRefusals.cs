using System.Text.Json;
using ModelContextProtocol;
using Shield.Console.Auditing;
using Shield.Core.Auditing;
using Shield.Core.Governance;
using Shield.Core.Redaction;
using Shield.Core.Text;

namespace Shield.Console.Relay;

/// <summary>
/// Records the <c>/mcp</c> requests of the 2026-07-28 revision that the MCP transport refused because their routing
/// headers (<c>Mcp-Method</c>, <c>Mcp-Name</c>, <c>Mcp-Param-*</c>) are missing or say something other than their body
/// (400, <see cref="McpErrorCode.HeaderMismatch"/>). The transport refuses them before any handler, so before any
/// decision; policy is decided on the body alone. A request that lies in its headers, to steer whatever routes on them,
/// is an attack on the path, so it is in the trail (<c>mcp.request-refused</c>) with the agent it came from.
/// </summary>
internal static class HeaderRefusals
{
    // The refusal is one small JSON-RPC error: more than this is not one.
    private const int MaxCaptured = 4096;

    public static async Task RecordAsync(HttpContext context, RequestDelegate next)
    {
        if (!HttpMethods.IsPost(context.Request.Method) || !Revisions.Stateless(context.Request.Headers["MCP-Protocol-Version"].ToString()))
        {
            await next(context);
            return;
        }

        var body = context.Response.Body;
        await using var capture = new Capture(body, context.Response);
        context.Response.Body = capture;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = body;
        }

        if (context.Response.StatusCode == StatusCodes.Status400BadRequest && Refusal(capture.Captured) is { } reason &&
            SessionTokenAuthentication.SessionOf(context) is { } session)
        {
            var redactor = context.RequestServices.GetRequiredService<RedactorStore>().Current;
            var headers = context.Request.Headers;
            await context.RequestServices.GetRequiredService<SecurityEvents>().RecordAsync(new AuditRecord
            {
                EventType = AuditEventTypes.RequestRefused,
                ActorKind = Actor.Agent,
                ActorId = session.AgentId.ToString(),
                ActorName = session.AgentName.Clip(256),
                SessionId = session.Id,
                Task = session.Task.Clip(500),
                Subject = "mcp-request",
                SubjectKey = redactor.RedactText(headers["Mcp-Name"].ToString()).Clip(256),
                Action = redactor.RedactText(headers["Mcp-Method"].ToString()).Clip(64),
                Decision = "Deny",
                Outcome = "refused",
                Reason = redactor.RedactText(reason).Clip(4000),
            });
        }
    }

    // The transport's message, when what it answered is a header refusal.
    private static string? Refusal(ReadOnlySpan<byte> answer)
    {
        try
        {
            using var json = JsonDocument.Parse(answer.ToArray());
            return json.RootElement.TryGetProperty("error", out var error) && error.TryGetProperty("code", out var code) &&
                code.TryGetInt32(out var value) && value == (int)McpErrorCode.HeaderMismatch && error.TryGetProperty("message", out var message)
                ? message.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Passes the answer through, keeping the start of a 400's body.</summary>
    private sealed class Capture(Stream inner, HttpResponse response) : Stream
    {
        private readonly MemoryStream _kept = new();

        public ReadOnlySpan<byte> Captured => _kept.GetBuffer().AsSpan(0, (int)_kept.Length);

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count)
        {
            Keep(buffer.AsSpan(offset, count));
            inner.Write(buffer, offset, count);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Keep(buffer.Span);
            await inner.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        private void Keep(ReadOnlySpan<byte> written)
        {
            if (response.StatusCode == StatusCodes.Status400BadRequest && _kept.Length < MaxCaptured)
            {
                _kept.Write(written[..Math.Min(written.Length, MaxCaptured - (int)_kept.Length)]);
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _kept.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

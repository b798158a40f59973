#pragma warning disable MCP9006 // resumable streams, as 2025-11-25 clients use them

using System.Net.ServerSentEvents;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Time.Testing;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Shield.Console.Relay;

namespace Shield.Tests.Console.Relay;

/// <summary>A response stream's events are kept while its client may resume it, and no longer.</summary>
public sealed class ResponseStreamsTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly HttpContextAccessor _requests = new();

    [Fact]
    public async Task AStreamAnsweredOnAResponseThatEndedWhole_IsKeptOnlyForTheGrace_InCaseItsBytesWereLostAsTheConnectionDropped()
    {
        var cancel = TestContext.Current.CancellationToken;
        var streams = new ResponseStreams(_requests, _time);
        var request = Request();
        var stream = await streams.CreateStreamAsync(Options("7"), cancel);
        var primed = await stream.WriteEventAsync(Primer(), cancel);
        await stream.WriteEventAsync(Answer(7), cancel);
        await stream.DisposeAsync();
        await request.EndAsync(aborted: false);

        var reader = await streams.GetStreamReaderAsync(primed.EventId!, cancel);
        Assert.NotNull(reader);
        Assert.Equal(new RequestId(7), Assert.IsType<JsonRpcResponse>(Assert.Single(await ReadAllAsync(reader, cancel)).Data).Id);
        _time.Advance(ResponseStreams.DeliveredGrace);

        Assert.Equal(0, streams.Count);
        Assert.Null(await streams.GetStreamReaderAsync(primed.EventId!, cancel));
    }

    [Fact]
    public async Task NoMoreThanMaxDeliveredKeptAnsweredStreams_AreKept_AndTheyNeverPushOutABrokenOne()
    {
        var cancel = TestContext.Current.CancellationToken;
        var streams = new ResponseStreams(_requests, _time);
        var brokenRequest = Request();
        var broken = await streams.CreateStreamAsync(Options("broken"), cancel);
        var brokenId = (await broken.WriteEventAsync(Primer(), cancel)).EventId!;
        await brokenRequest.EndAsync(aborted: true);
        await broken.DisposeAsync();
        for (var i = 0; i <= ResponseStreams.MaxDeliveredKept; i++)
        {
            var request = Request();
            var stream = await streams.CreateStreamAsync(Options($"{i}"), cancel);
            await stream.WriteEventAsync(Answer(i), cancel);
            await stream.DisposeAsync();
            await request.EndAsync(aborted: false);
        }

        Assert.Equal(ResponseStreams.MaxDeliveredKept + 1, streams.Count);
        Assert.NotNull(await streams.GetStreamReaderAsync(brokenId, cancel));
    }

    [Fact]
    public async Task AStreamWhoseConnectionBroke_IsResumedAfterTheLastEventSeen_WithEventsWrittenAfterTheResume()
    {
        var cancel = TestContext.Current.CancellationToken;
        var streams = new ResponseStreams(_requests, _time);
        var request = Request();
        var stream = await streams.CreateStreamAsync(Options("7"), cancel);
        var primed = await stream.WriteEventAsync(Primer(), cancel);
        await request.EndAsync(aborted: true);
        await stream.WriteEventAsync(new SseItem<JsonRpcMessage?>(new JsonRpcNotification { Method = "notifications/progress" }, "message"), cancel);

        var reader = await streams.GetStreamReaderAsync(primed.EventId!, cancel);
        Assert.NotNull(reader);
        Assert.Equal("session", reader.SessionId);
        var read = ReadAllAsync(reader, cancel);
        await stream.WriteEventAsync(Answer(7), cancel); // written while the reader waits: it gets it without polling
        await stream.DisposeAsync();

        var events = await read;
        Assert.Collection(events,
            e => Assert.IsType<JsonRpcNotification>(e.Data),
            e => Assert.Equal(new RequestId(7), Assert.IsType<JsonRpcResponse>(e.Data).Id));
    }

    [Fact]
    public async Task AStreamKeptForResumption_IsReleasedOnceTheResumeWindowHasPassed()
    {
        var cancel = TestContext.Current.CancellationToken;
        var streams = new ResponseStreams(_requests, _time);
        var request = Request();
        var stream = await streams.CreateStreamAsync(Options("7"), cancel);
        var primed = await stream.WriteEventAsync(Primer(), cancel);
        await request.EndAsync(aborted: true);
        await stream.WriteEventAsync(Answer(7), cancel);
        await stream.DisposeAsync();

        _time.Advance(ResponseStreams.ResumeWindow - TimeSpan.FromSeconds(1));
        Assert.NotNull(await streams.GetStreamReaderAsync(primed.EventId!, cancel));
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Null(await streams.GetStreamReaderAsync(primed.EventId!, cancel));
        Assert.Equal(0, streams.Count);
    }

    [Fact]
    public async Task NoMoreThanMaxKeptStreams_AreKept_TheOldestGoFirst()
    {
        var cancel = TestContext.Current.CancellationToken;
        var streams = new ResponseStreams(_requests, _time);
        string? first = null;
        for (var i = 0; i <= ResponseStreams.MaxKept; i++)
        {
            var request = Request();
            var stream = await streams.CreateStreamAsync(Options($"{i}"), cancel);
            first ??= (await stream.WriteEventAsync(Primer(), cancel)).EventId;
            await request.EndAsync(aborted: true);
            await stream.DisposeAsync();
        }

        Assert.Equal(ResponseStreams.MaxKept, streams.Count);
        Assert.Null(await streams.GetStreamReaderAsync(first!, cancel));
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("1:")]
    [InlineData("99:1")]
    [InlineData("1:5")]
    public async Task AnUnknownOrMalformedLastEventId_HasNoReader(string lastEventId)
    {
        var streams = new ResponseStreams(_requests, _time);
        Request();
        var stream = await streams.CreateStreamAsync(Options("7"), TestContext.Current.CancellationToken);
        await stream.WriteEventAsync(Primer(), TestContext.Current.CancellationToken);

        Assert.Null(await streams.GetStreamReaderAsync(lastEventId, TestContext.Current.CancellationToken));
    }

    private static SseEventStreamOptions Options(string streamId) => new() { SessionId = "session", StreamId = streamId, Mode = SseEventStreamMode.Streaming };

    // What the SDK primes a stream with: an event with no data, whose id the client keeps.
    private static SseItem<JsonRpcMessage?> Primer() => new(null, "message");

    private static SseItem<JsonRpcMessage?> Answer(long id) => new(new JsonRpcResponse { Id = new RequestId(id), Result = null }, "message");

    private static async Task<List<SseItem<JsonRpcMessage?>>> ReadAllAsync(ISseEventStreamReader reader, CancellationToken cancel)
    {
        List<SseItem<JsonRpcMessage?>> events = [];
        await foreach (var item in reader.ReadEventsAsync(cancel))
        {
            events.Add(item);
        }

        return events;
    }

    // The request that carries the stream being made, as the SDK makes it while it handles that request.
    private PendingResponse Request()
    {
        var response = new PendingResponse();
        var context = new DefaultHttpContext();
        context.Features.Set<IHttpResponseFeature>(response);
        context.RequestAborted = response.Aborted.Token;
        _requests.HttpContext = context;
        return response;
    }

    private sealed class PendingResponse : HttpResponseFeature
    {
        private readonly List<(Func<object, Task> Callback, object State)> _completed = [];

        public CancellationTokenSource Aborted { get; } = new();

        public override void OnCompleted(Func<object, Task> callback, object state) => _completed.Add((callback, state));

        public async Task EndAsync(bool aborted)
        {
            if (aborted)
            {
                await Aborted.CancelAsync();
            }

            foreach (var (callback, state) in _completed)
            {
                await callback(state);
            }
        }
    }
}

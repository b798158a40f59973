using System.Threading.Channels;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Shield.Console.Registry;

/// <summary>
/// Hands an upstream session's notifications to Shield's handlers in the order the server sent them, each one handled
/// before the next message from the server is read on. The SDK handles every incoming message on a thread of its own,
/// so without this a call's answer could overtake the progress the server sent before it, and that progress would
/// reach the agent's response stream after it closed (or not in order). A handler that has not finished within
/// <see cref="HandlerTimeout"/> is cancelled, so one stuck agent stream cannot hold a session's answers back for long.
/// Every other message reaches the SDK unchanged, and the session ends the way the server's transport ended.
/// </summary>
internal sealed class InOrderNotifications(IClientTransport inner, ILookup<string, Func<JsonRpcNotification, CancellationToken, ValueTask>> handlers) : IClientTransport
{
    public static readonly TimeSpan HandlerTimeout = TimeSpan.FromSeconds(5);

    public string Name => inner.Name;

    public async Task<ITransport> ConnectAsync(CancellationToken cancellationToken = default) =>
        new Session(await inner.ConnectAsync(cancellationToken), handlers);

    private sealed class Session : ITransport
    {
        private readonly ITransport _inner;
        private readonly ILookup<string, Func<JsonRpcNotification, CancellationToken, ValueTask>> _handlers;
        private readonly Channel<JsonRpcMessage> _messages = Channel.CreateUnbounded<JsonRpcMessage>(new UnboundedChannelOptions { SingleWriter = true });
        private readonly CancellationTokenSource _stopping = new();
        private readonly Task _pump;
        private int _disposed;

        public Session(ITransport inner, ILookup<string, Func<JsonRpcNotification, CancellationToken, ValueTask>> handlers)
        {
            _inner = inner;
            _handlers = handlers;
            _pump = PumpAsync();
        }

        public string? SessionId => _inner.SessionId;

        public ChannelReader<JsonRpcMessage> MessageReader => _messages.Reader;

        public Task SendMessageAsync(JsonRpcMessage message, CancellationToken cancellationToken = default) => _inner.SendMessageAsync(message, cancellationToken);

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1)
            {
                return;
            }

            await _stopping.CancelAsync();
            await _inner.DisposeAsync();
            await _pump;
            _stopping.Dispose();
        }

        private async Task PumpAsync()
        {
            await Task.Yield();
            try
            {
                await foreach (var message in _inner.MessageReader.ReadAllAsync(_stopping.Token))
                {
                    if (message is JsonRpcNotification notification && _handlers.Contains(notification.Method))
                    {
                        await HandleAsync(notification);
                    }
                    else
                    {
                        _messages.Writer.TryWrite(message);
                    }
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The inner reader ended with its transport's reason (read below), or Shield closed the session.
            }

            // The SDK reads why the session ended (a crashed process, an HTTP failure) from how the reader completed.
            try
            {
                await _inner.MessageReader.Completion.WaitAsync(_stopping.Token);
                _messages.Writer.TryComplete();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _messages.Writer.TryComplete(e is OperationCanceledException && _stopping.IsCancellationRequested ? null : e);
            }
        }

        private async Task HandleAsync(JsonRpcNotification notification)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            timeout.CancelAfter(HandlerTimeout);
            foreach (var handler in _handlers[notification.Method])
            {
                try
                {
                    await handler(notification, timeout.Token);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // A notification that could not be delivered in time has nowhere else to go; the next one may.
                }
            }
        }
    }
}

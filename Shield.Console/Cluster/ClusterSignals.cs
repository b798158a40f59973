using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Shield.Core.Cluster;
using StackExchange.Redis;

namespace Shield.Console.Cluster;

/// <summary>
/// The signals between the instances of a cluster (<see cref="ClusterSignal"/>), on one Redis channel when
/// <c>ConnectionStrings:Redis</c> is set. An instance that changes something publishes a signal after the change is
/// committed; the others hear it within milliseconds and look in the database. Publishing never waits and never fails
/// the change: while Redis is unreachable signals are dropped, and every instance still finds the change at its next
/// look (<see cref="ClusterOptions.PollInterval"/>). Without Redis, or outside a cluster, nothing is sent.
/// </summary>
public sealed partial class ClusterSignals(IOptions<ClusterOptions> options, ILoggerFactory loggers) : IHostedService, IAsyncDisposable
{
    /// <summary>The channel's name; a Redis shared by several clusters separates them with <c>channelPrefix=</c> in the connection string.</summary>
    public static readonly RedisChannel Channel = RedisChannel.Literal("shield:signals");

    // Tells this process's own signals apart when Redis echoes them back: its name could be shared by mistake, this never.
    private readonly string _self = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
    private readonly ILogger _logger = loggers.CreateLogger<ClusterSignals>();
    private readonly Lock _gate = new();
    private (ClusterSignalKind Kind, Func<ClusterSignal, Task> Handler)[] _handlers = [];
    private readonly SemaphoreSlim _listening = new(1, 1);
    private Action<RedisChannel, RedisValue> _handler = (_, _) => { };
    private ConnectionMultiplexer? _redis;

    /// <summary>Whether signals travel through Redis (a cluster with <c>ConnectionStrings:Redis</c>).</summary>
    public bool UsesRedis => options.Value.HasRedis;

    /// <summary>Whether Redis is reachable now; false without Redis.</summary>
    public bool IsConnected => _redis?.IsConnected == true;

    /// <summary>Calls <paramref name="handler"/> for every signal of this kind that another instance sends.</summary>
    public void Subscribe(ClusterSignalKind kind, Func<ClusterSignal, Task> handler)
    {
        lock (_gate)
        {
            _handlers = [.. _handlers, (kind, handler)];
        }
    }

    /// <summary>Tells the other instances to look now; returns at once, whatever Redis does.</summary>
    public void Publish(ClusterSignal signal)
    {
        if (_redis is not { IsConnected: true } redis)
        {
            return;
        }

        try
        {
            redis.GetSubscriber().Publish(Channel, signal.Write(_self), CommandFlags.FireAndForget);
        }
        catch (Exception error) when (error is RedisException or ObjectDisposedException)
        {
            LogPublishFailed(_logger, error, signal.Kind);
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!UsesRedis)
        {
            return;
        }

        _handler = (_, message) => Receive(message);
        var configuration = ConfigurationOptions.Parse(options.Value.Redis!);
        // Start, and keep trying, even while Redis is down: the instance serves meanwhile, looking in the database.
        configuration.AbortOnConnectFail = false;
        configuration.LoggerFactory ??= loggers;
        configuration.ClientName ??= "shield-" + options.Value.InstanceName;
        _redis = await ConnectionMultiplexer.ConnectAsync(configuration);
        _redis.ConnectionFailed += (_, failure) =>
        {
            if (failure.ConnectionType == ConnectionType.Subscription)
            {
                LogLost(_logger, failure.Exception, options.Value.PollInterval);
            }
        };
        _redis.ConnectionRestored += (_, restored) =>
        {
            if (restored.ConnectionType == ConnectionType.Subscription)
            {
                _ = ListenAsync(_redis);
            }
        };
        if (_redis.IsConnected)
        {
            await ListenAsync(_redis);
        }
        else
        {
            // Not awaited, so a Redis that is down holds nothing up; made again (and confirmed) once it answers.
            await _redis.GetSubscriber().SubscribeAsync(Channel, _handler, CommandFlags.FireAndForget);
            LogUnreachable(_logger, options.Value.PollInterval);
        }
    }

    /// <summary>
    /// Subscribes to the channel afresh and waits for Redis to confirm it. The connection renews its subscriptions by
    /// itself as it reconnects, but without saying when; this says it (in the log) only once signals reach this instance.
    /// </summary>
    private async Task ListenAsync(ConnectionMultiplexer redis)
    {
        await _listening.WaitAsync();
        try
        {
            var subscriber = redis.GetSubscriber();
            await subscriber.UnsubscribeAsync(Channel, _handler); // a handler is added, not replaced: never twice
            await subscriber.SubscribeAsync(Channel, _handler);
            LogListening(_logger);
        }
        catch (Exception error) when (error is RedisException or ObjectDisposedException)
        {
            LogLost(_logger, error, options.Value.PollInterval);
        }
        finally
        {
            _listening.Release();
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }

    /// <summary>Hands a signal from another instance to its handlers, each on its own, none holding up Redis's reader.</summary>
    internal void Receive(string? message)
    {
        if (ClusterSignal.Read(message) is not var (from, signal))
        {
            LogIgnored(_logger);
            return;
        }

        if (from == _self)
        {
            return;
        }

        foreach (var (kind, handler) in Volatile.Read(ref _handlers))
        {
            if (kind == signal.Kind)
            {
                _ = Task.Run(async () =>
                {
                    try
                    {
                        await handler(signal);
                    }
                    catch (Exception error)
                    {
                        LogHandlerFailed(_logger, error, signal.Kind);
                    }
                });
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is unreachable: instances of the cluster find each other's changes by looking in the database every {Interval} until it answers")]
    private static partial void LogUnreachable(ILogger logger, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis stopped answering: instances of the cluster find each other's changes by looking in the database every {Interval} until it answers again")]
    private static partial void LogLost(ILogger logger, Exception? error, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis answers: signals between the instances of the cluster flow")]
    private static partial void LogListening(ILogger logger);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A {Kind} signal could not be sent to the other instances; they find the change at their next look in the database")]
    private static partial void LogPublishFailed(ILogger logger, Exception error, ClusterSignalKind kind);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A message on Shield's signal channel that is not a signal was ignored")]
    private static partial void LogIgnored(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A {Kind} signal from another instance could not be acted on; the change is found at the next look in the database")]
    private static partial void LogHandlerFailed(ILogger logger, Exception error, ClusterSignalKind kind);
}

using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Shield.Console.Accounts;

/// <summary>
/// Counts failed sign-ins per client address (an IPv6 client by its /64, which one holder usually has whole) with the
/// framework's rate limiters: a client that used up <see cref="SignInOptions.FailuresPerClient"/> within
/// <see cref="SignInOptions.FailureWindow"/> is refused before its password is looked at, and the account it aimed at
/// is not charged. Only failures count, so many people signing in from one office address are never held up. A
/// client's attempts are taken one at a time, so parallel requests cannot slip past the count.
/// </summary>
internal sealed class SignInThrottle : IDisposable
{
    private const int WaitingAttemptsPerClient = 8;
    private readonly PartitionedRateLimiter<string> _turns;
    private readonly PartitionedRateLimiter<string> _failures;

    public SignInThrottle(IOptions<SignInOptions> options)
    {
        var settings = options.Value;
        Window = settings.FailureWindow;
        FailuresPerClient = settings.FailuresPerClient;
        _turns = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetConcurrencyLimiter(client, _ =>
            new ConcurrencyLimiterOptions { PermitLimit = 1, QueueLimit = WaitingAttemptsPerClient, QueueProcessingOrder = QueueProcessingOrder.OldestFirst }));
        _failures = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetSlidingWindowLimiter(client, _ =>
            new SlidingWindowRateLimiterOptions { PermitLimit = settings.FailuresPerClient, Window = settings.FailureWindow, SegmentsPerWindow = 15, QueueLimit = 0 }));
    }

    public TimeSpan Window { get; }

    public int FailuresPerClient { get; }

    /// <summary>The client's turn to try a password, or a refusal with how long to wait.</summary>
    public async ValueTask<SignInTurn> BeginAsync(HttpContext context)
    {
        var client = ClientOf(context.Connection.RemoteIpAddress);
        var turn = await _turns.AcquireAsync(client, 1, context.RequestAborted);
        using var left = _failures.AttemptAcquire(client, 0);
        if (turn.IsAcquired && left.IsAcquired)
        {
            return new SignInTurn(client, turn, () =>
            {
                _failures.AttemptAcquire(client, 1).Dispose();
                return _failures.GetStatistics(client)?.CurrentAvailablePermits == 0;
            }, null);
        }

        turn.Dispose();
        var wait = !turn.IsAcquired ? TimeSpan.FromSeconds(1) // too many attempts at once
            : left.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : Window;
        return new SignInTurn(client, null, null, wait);
    }

    /// <summary>The partition of an address: IPv4 as is, IPv6 by its /64; one shared partition when it is unknown.</summary>
    internal static string ClientOf(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        bytes.AsSpan(8).Clear();
        return $"{new IPAddress(bytes)}/64";
    }

    public void Dispose()
    {
        _turns.Dispose();
        _failures.Dispose();
    }
}

/// <summary>One client's turn at a sign-in: report a wrong password with <see cref="Failed"/>; dispose it when done.</summary>
internal sealed class SignInTurn(string client, RateLimitLease? lease, Func<bool>? fail, TimeSpan? retryAfter) : IDisposable
{
    /// <summary>The client as it is counted: its address, or an IPv6 client's /64.</summary>
    public string Client { get; } = client;

    /// <summary>Set when the client must wait this long before trying again.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>Counts a wrong password against the client.</summary>
    /// <returns>True when it was the client's last one: it is refused from now on, until the window moves on.</returns>
    public bool Failed() => fail?.Invoke() ?? false;

    public void Dispose() => lease?.Dispose();
}

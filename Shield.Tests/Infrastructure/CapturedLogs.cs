using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Shield.Tests.Infrastructure;

/// <summary>
/// Keeps every log message an app under test writes (at the levels its logging settings let through: Information for
/// Shield unless a test lowers it), so tests can assert on what operators would read, or await a line.
/// </summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, LogLevel Level, string Message)> _entries = new();
    private readonly List<(Func<string, string, bool> Matches, TaskCompletionSource Seen)> _waiting = [];

    public IReadOnlyList<(string Category, LogLevel Level, string Message)> Entries => [.. _entries];

    public IEnumerable<string> Messages(string categoryEndsWith) =>
        _entries.Where(e => e.Category.EndsWith(categoryEndsWith, StringComparison.Ordinal)).Select(e => e.Message);

    /// <summary>
    /// Waits until the app has logged, under a category ending with <paramref name="categoryEndsWith"/>, its
    /// <paramref name="count"/>th message containing <paramref name="text"/> (earlier ones count).
    /// </summary>
    public Task WaitForAsync(string categoryEndsWith, string text, int count = 1)
    {
        bool Matches(string category, string message) =>
            category.EndsWith(categoryEndsWith, StringComparison.Ordinal) && message.Contains(text, StringComparison.Ordinal);

        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiting)
        {
            var already = _entries.Count(e => Matches(e.Category, e.Message));
            if (already >= count)
            {
                return Task.CompletedTask;
            }

            var remaining = count - already;
            _waiting.Add(((category, message) => Matches(category, message) && --remaining == 0, seen));
        }

        return seen.Task.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
    }

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

    public void Dispose()
    {
    }

    private void Add(string category, LogLevel level, string message)
    {
        lock (_waiting)
        {
            _entries.Enqueue((category, level, message));
            foreach (var waiter in _waiting.Where(w => w.Matches(category, message)).ToList())
            {
                waiter.Seen.TrySetResult();
                _waiting.Remove(waiter);
            }
        }
    }

    private sealed class Logger(string category, CapturedLogs logs) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                logs.Add(category, logLevel, formatter(state, exception));
            }
        }
    }
}

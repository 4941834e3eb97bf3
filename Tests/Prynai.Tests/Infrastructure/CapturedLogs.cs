using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Prynai.Tests.Infrastructure;

/// <summary>One log entry the server wrote.</summary>
public sealed record CapturedLogEntry(LogLevel Level, string Category, EventId EventId, string Message, Exception? Exception)
{
    public override string ToString() =>
        $"{Level} {Category}[{EventId.Id}] {Message}{(Exception is null ? "" : $"\n  {Exception.GetType().Name}: {Exception.Message}")}";
}

/// <summary>
/// Every log entry of an in-process server (add it with <c>services.AddSingleton&lt;ILoggerProvider&gt;(logs)</c>),
/// so a test can assert what was — or was not — logged, at which level, with or without a stack.
/// </summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLogEntry> _entries = new();

    public IReadOnlyCollection<CapturedLogEntry> Entries => _entries;

    /// <summary>Entries at Error or Critical: what the console shows as <c>fail</c>/<c>crit</c>.</summary>
    public IReadOnlyList<CapturedLogEntry> Failures => [.. _entries.Where(entry => entry.Level >= LogLevel.Error)];

    /// <summary>Entries that carry an exception (a stack trace on the console), at any level.</summary>
    public IReadOnlyList<CapturedLogEntry> WithStacks => [.. _entries.Where(entry => entry.Exception is not null)];

    public void Clear() => _entries.Clear();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._entries.Enqueue(new CapturedLogEntry(logLevel, category, eventId, formatter(state, exception), exception));
    }
}

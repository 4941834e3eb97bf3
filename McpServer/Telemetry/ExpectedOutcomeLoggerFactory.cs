using Microsoft.Extensions.DependencyInjection.Extensions;
using ModelContextProtocol;
using Prynai.McpServer.State;

namespace Prynai.McpServer.Telemetry;

/// <summary>
/// The MCP SDK logs every exception a handler throws at error level with its stack — an unknown tool, a refused
/// role, a resource that does not exist, a tool's own refusal: outcomes the caller caused and was told about. Those are
/// not server failures, so in the SDK's log categories they drop to Debug without the stack, and so does a call that
/// failed because the state store is down (<see cref="StoreAvailability"/> logs the outage once, and /healthz shows it);
/// anything else stays as the SDK logged it. The Redis client logs every failed reconnect attempt as an error: its
/// warnings and errors drop to Debug too, for the same reason. The host's own "Hosting failed to start" entry (the
/// exception and its stack) is dropped: <see cref="Configuration.StartupFailures"/> reports that failure as one line.
/// </summary>
internal sealed class ExpectedOutcomeLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    private const string SdkCategoryPrefix = "ModelContextProtocol";
    private const string RedisClientCategoryPrefix = "StackExchange.Redis";
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";
    private const int HostingFailedToStart = 11;

    /// <summary>Routes every logger of the host through this factory (both hosts call it; other categories pass through untouched).</summary>
    public static void Register(IServiceCollection services)
    {
        var existing = services.LastOrDefault(descriptor => descriptor.ServiceType == typeof(ILoggerFactory) && !descriptor.IsKeyedService);
        if (existing is null || existing.ImplementationType == typeof(ExpectedOutcomeLoggerFactory))
        {
            return;
        }
        services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(provider => new ExpectedOutcomeLoggerFactory(existing.ImplementationType is { } type
            ? (ILoggerFactory)ActivatorUtilities.CreateInstance(provider, type)
            : existing.ImplementationFactory is { } factory ? (ILoggerFactory)factory(provider) : (ILoggerFactory)existing.ImplementationInstance!)));
    }

    public ILogger CreateLogger(string categoryName)
    {
        var logger = inner.CreateLogger(categoryName);
        return categoryName.StartsWith(SdkCategoryPrefix, StringComparison.Ordinal) ? new ClassifyingLogger(logger)
            : categoryName.StartsWith(RedisClientCategoryPrefix, StringComparison.Ordinal) ? new DebugOnlyLogger(logger)
            : categoryName == HostCategory ? new StartupFailureLogger(logger)
            : logger;
    }

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();

    /// <summary>How an exception the SDK is about to log at Warning or above should be logged instead; null: as the SDK chose.</summary>
    internal static LogLevel? Reclassify(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is StateStoreUnavailableException)
            {
                return LogLevel.Debug;
            }
        }
        return exception switch
        {
            OperationCanceledException => LogLevel.Debug,
            McpProtocolException { ErrorCode: not McpErrorCode.InternalError } => LogLevel.Debug,
            McpException and not McpProtocolException => LogLevel.Debug,
            _ => null,
        };
    }

    private sealed class StartupFailureLogger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id != HostingFailedToStart)
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }

    /// <summary>Everything at Debug at most, the exception's message kept and its stack left out.</summary>
    private sealed class DebugOnlyLogger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel < LogLevel.Warning ? logLevel : LogLevel.Debug);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel < LogLevel.Warning)
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
            else if (inner.IsEnabled(LogLevel.Debug))
            {
                var message = exception is null ? formatter(state, exception) : $"{formatter(state, exception)} {exception.GetType().Name}: {exception.Message}";
                inner.Log(LogLevel.Debug, eventId, message, null, static (text, _) => text);
            }
        }
    }

    private sealed class ClassifyingLogger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (exception is null || logLevel < LogLevel.Warning || Reclassify(exception) is not { } level)
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
                return;
            }
            if (inner.IsEnabled(level))
            {
                // The stack is what made these entries unreadable; the exception's message carries the outcome.
                var message = $"{formatter(state, exception)} {exception.GetType().Name}: {exception.Message}";
                inner.Log(level, eventId, message, null, static (text, _) => text);
            }
        }
    }
}

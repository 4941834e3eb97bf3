using System.Text.Json;
using StackExchange.Redis;

namespace Prynai.McpServer.State;

/// <summary>
/// Shared state in Redis: counters with INCRBY (key <c>prynai:counter</c>, as the original system), values with
/// expiry, changes over pub/sub (channel <c>prynai:changes</c>) so every replica hears them. While Redis is down,
/// operations throw <see cref="StateStoreUnavailableException"/> and the client keeps reconnecting in the background.
/// </summary>
internal sealed partial class RedisStateStore : IStateStore, IAsyncDisposable
{
    private const string Channel = "prynai:changes";
    private readonly ConfigurationOptions _options;
    private readonly ChangeFeedDispatcher _changes;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private ConnectionMultiplexer? _connection;
    private volatile bool _subscribed;

    public RedisStateStore(ConfigurationOptions options, ILogger<RedisStateStore> logger)
    {
        _options = options;
        _logger = logger;
        _changes = new ChangeFeedDispatcher(logger);
    }

    public string Kind => "redis";

    public Task<long> GetCounterAsync(string name, CancellationToken cancellationToken) =>
        RunAsync(async db => (long?)await db.StringGetAsync(name) ?? 0);

    public Task<long> IncrementCounterAsync(string name, long delta, CancellationToken cancellationToken) =>
        RunAsync(db => db.StringIncrementAsync(name, delta));

    public Task SetCounterAsync(string name, long value, CancellationToken cancellationToken) =>
        RunAsync(db => db.StringSetAsync(name, value));

    public Task<string?> GetValueAsync(string key, CancellationToken cancellationToken) =>
        RunAsync(async db => (string?)await db.StringGetAsync(key));

    public Task SetValueAsync(string key, string value, TimeSpan? timeToLive, CancellationToken cancellationToken) =>
        RunAsync(db => db.StringSetAsync(key, value, timeToLive));

    public Task<bool> DeleteValueAsync(string key, CancellationToken cancellationToken) =>
        RunAsync(db => db.KeyDeleteAsync(key));

    public async Task PublishAsync(StateChange change, CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync();
        await Guard(() => connection.GetSubscriber().PublishAsync(Channel, JsonSerializer.Serialize(change, StateJson.Default.StateChange)));
    }

    public IDisposable Subscribe(Func<StateChange, Task> handler)
    {
        _ = EnsureSubscribedAsync();
        return _changes.Subscribe(handler);
    }

    public async Task<StoreHealth> CheckHealthAsync(CancellationToken cancellationToken)
    {
        try
        {
            var connection = await ConnectAsync();
            if (!connection.IsConnected)
            {
                return new StoreHealth(false, "not connected");
            }
            await Guard(() => connection.GetDatabase().PingAsync());
            _ = EnsureSubscribedAsync();
            return new StoreHealth(true);
        }
        catch (StateStoreUnavailableException ex)
        {
            return new StoreHealth(false, ex.InnerException?.GetType().Name);
        }
    }

    /// <summary>Connects (once; later calls reuse the multiplexer, which reconnects by itself) and joins the change channel.</summary>
    public async Task StartAsync()
    {
        await ConnectAsync();
        await EnsureSubscribedAsync();
    }

    private async Task<T> RunAsync<T>(Func<IDatabase, Task<T>> operation)
    {
        var connection = await ConnectAsync();
        return await Guard(() => operation(connection.GetDatabase()));
    }

    /// <summary>The shared connection (the task store uses it too).</summary>
    internal async Task<ConnectionMultiplexer> ConnectAsync()
    {
        if (_connection is { } existing)
        {
            return existing;
        }
        await _connectLock.WaitAsync();
        try
        {
            if (_connection is null)
            {
                // AbortOnConnectFail=false: returns even when Redis is down, then reconnects in the background.
                var connection = await ConnectionMultiplexer.ConnectAsync(_options);
                connection.ConnectionFailed += (_, e) => LogConnectionFailed(_logger, e.FailureType.ToString());
                connection.ConnectionRestored += (_, _) =>
                {
                    LogConnectionRestored(_logger);
                    _ = EnsureSubscribedAsync();
                };
                _connection = connection;
            }
            return _connection;
        }
        finally
        {
            _connectLock.Release();
        }
    }

    private async Task EnsureSubscribedAsync()
    {
        if (_subscribed)
        {
            return;
        }
        try
        {
            var connection = await ConnectAsync();
            if (!connection.IsConnected)
            {
                return;
            }
            await connection.GetSubscriber().SubscribeAsync(Channel, (_, message) =>
            {
                if (message.HasValue && JsonSerializer.Deserialize((string)message!, StateJson.Default.StateChange) is { } change)
                {
                    _changes.Enqueue(change);
                }
            });
            // Once established, the client itself restores the subscription after every reconnect.
            _subscribed = true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogSubscribeFailed(_logger, ex);
        }
    }

    private static async Task<T> Guard<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            throw new StateStoreUnavailableException("redis", ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _changes.DisposeAsync();
        if (_connection is { } connection)
        {
            await connection.CloseAsync();
            connection.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis connection lost ({FailureType}); reconnecting in the background")]
    private static partial void LogConnectionFailed(ILogger logger, string failureType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis connection restored")]
    private static partial void LogConnectionRestored(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not subscribe to Redis change notifications yet; retrying when the connection returns")]
    private static partial void LogSubscribeFailed(ILogger logger, Exception exception);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(StateChange))]
internal sealed partial class StateJson : System.Text.Json.Serialization.JsonSerializerContext;

using System.Text.Json;
using StackExchange.Redis;

namespace Prynai.McpServer.State.Stores;

/// <summary>
/// Shared state in Redis: counters with INCRBY (key <c>prynai:counter</c>, as the original system), values with
/// expiry, changes over pub/sub (channel <c>prynai:changes</c>) so every replica hears them. The connection is the
/// multiplexer Aspire's Redis client registers (which owns it); while Redis is down, operations throw
/// <see cref="StateStoreUnavailableException"/> and the multiplexer keeps reconnecting in the background.
/// </summary>
internal sealed partial class RedisStateStore : IStateStore, IAsyncDisposable
{
    private const string Channel = "prynai:changes";
    private readonly IConnectionMultiplexer _connection;
    private readonly ChangeFeedDispatcher _changes;
    private readonly ILogger _logger;
    private readonly Action<RedisChannel, RedisValue> _onChange;
    private readonly SemaphoreSlim _subscribeLock = new(1, 1);
    private volatile bool _subscribed;

    public RedisStateStore(IConnectionMultiplexer connection, StoreAvailability availability, ILogger<RedisStateStore> logger)
    {
        _connection = connection;
        _logger = logger;
        _changes = new ChangeFeedDispatcher(logger);
        _onChange = (_, message) =>
        {
            if (message.HasValue && JsonSerializer.Deserialize((string)message!, StateJson.Default.StateChange) is { } change)
            {
                _changes.Enqueue(change);
            }
        };
        // Every reconnect attempt fails again while Redis is down: the outage is logged once, by the availability log.
        connection.ConnectionFailed += (_, e) => availability.ReportUnavailable(Kind, $"{e.FailureType} on {e.EndPoint} ({e.ConnectionType})");
        connection.ConnectionRestored += (_, _) =>
        {
            if (connection.IsConnected)
            {
                availability.ReportAvailable(Kind);
            }
            _ = EnsureSubscribedAsync();
        };
    }

    public string Kind => "redis";

    public Task<long> GetCounterAsync(string name, CancellationToken cancellationToken) =>
        RunAsync(async db => (long?)await db.StringGetAsync(name) ?? 0);

    /// <summary>
    /// INCRBY, undone in the same script when the result leaves the counter range (a script runs atomically: no other
    /// client ever sees the out-of-range value). INCRBY's own int64 overflow error changes nothing either.
    /// </summary>
    private const string BoundedIncrement = """
        local existed = redis.call('EXISTS', KEYS[1])
        local value = redis.call('INCRBY', KEYS[1], ARGV[1])
        local limit = tonumber(ARGV[2])
        if value > limit or value < -limit then
          if existed == 1 then redis.call('DECRBY', KEYS[1], ARGV[1]) else redis.call('DEL', KEYS[1]) end
          return redis.error_reply('PRYNAI_COUNTER_RANGE')
        end
        return value
        """;

    public async Task<long> IncrementCounterAsync(string name, long delta, CancellationToken cancellationToken)
    {
        if (!CounterRange.CanAdd(delta))
        {
            throw CounterOverflowException.Adding(name, delta);
        }
        try
        {
            return (long)await RunAsync(db => db.ScriptEvaluateAsync(BoundedIncrement, [name], [delta, CounterRange.Limit]));
        }
        catch (StateStoreUnavailableException ex) when (ex.InnerException is RedisServerException server
            && (server.Message.Contains("PRYNAI_COUNTER_RANGE", StringComparison.Ordinal) || server.Message.Contains("overflow", StringComparison.OrdinalIgnoreCase)))
        {
            throw CounterOverflowException.Adding(name, delta, server);
        }
    }

    public Task SetCounterAsync(string name, long value, CancellationToken cancellationToken) =>
        CounterRange.Contains(value) ? RunAsync(db => db.StringSetAsync(name, value)) : throw CounterOverflowException.Setting(name, value);

    public Task<string?> GetValueAsync(string key, CancellationToken cancellationToken) =>
        RunAsync(async db => (string?)await db.StringGetAsync(key));

    public Task SetValueAsync(string key, string value, TimeSpan? timeToLive, CancellationToken cancellationToken) =>
        RunAsync(db => db.StringSetAsync(key, value, timeToLive, When.Always));

    public Task<bool> DeleteValueAsync(string key, CancellationToken cancellationToken) =>
        RunAsync(db => db.KeyDeleteAsync(key));

    /// <summary>
    /// Sent without waiting for Redis's reply (the number of receivers, which nothing uses): the PUBLISH still goes out
    /// in order on the connection, and a call that changed state does not wait a second round trip to say so.
    /// </summary>
    public Task PublishAsync(StateChange change, CancellationToken cancellationToken) =>
        Guard(() => _connection.GetSubscriber().PublishAsync(RedisChannel.Literal(Channel), JsonSerializer.Serialize(change, StateJson.Default.StateChange),
            CommandFlags.FireAndForget));

    public IDisposable Subscribe(Func<StateChange, Task> handler)
    {
        _ = EnsureSubscribedAsync();
        return _changes.Subscribe(handler);
    }

    /// <summary>
    /// One round trip. /healthz does not call it (Aspire's Redis health check answers there); it serves callers that
    /// ask the store itself. A successful check also joins the change channel if that could not happen earlier.
    /// </summary>
    public async Task<StoreHealth> CheckHealthAsync(CancellationToken cancellationToken)
    {
        if (!_connection.IsConnected)
        {
            return new StoreHealth(false, "not connected");
        }
        try
        {
            await Guard(() => _connection.GetDatabase().PingAsync());
            _ = EnsureSubscribedAsync();
            return new StoreHealth(true);
        }
        catch (StateStoreUnavailableException ex)
        {
            return new StoreHealth(false, ex.InnerException?.GetType().Name);
        }
    }

    /// <summary>Joins the change channel (the multiplexer is already connected, or connecting, by the time the host starts).</summary>
    public Task StartAsync() => EnsureSubscribedAsync();

    private Task<T> RunAsync<T>(Func<IDatabase, Task<T>> operation) => Guard(() => operation(_connection.GetDatabase()));

    private async Task EnsureSubscribedAsync()
    {
        if (_subscribed || !_connection.IsConnected)
        {
            return;
        }
        await _subscribeLock.WaitAsync();
        try
        {
            if (!_subscribed)
            {
                await _connection.GetSubscriber().SubscribeAsync(RedisChannel.Literal(Channel), _onChange);
                // Once established, the client itself restores the subscription after every reconnect.
                _subscribed = true;
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogSubscribeFailed(_logger, ex);
        }
        finally
        {
            _subscribeLock.Release();
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

    /// <summary>Stops the change feed; the multiplexer belongs to the container that created it.</summary>
    public async ValueTask DisposeAsync()
    {
        await _connection.GetSubscriber().UnsubscribeAsync(RedisChannel.Literal(Channel), _onChange).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _changes.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not subscribe to Redis change notifications yet; retrying when the connection returns")]
    private static partial void LogSubscribeFailed(ILogger logger, Exception exception);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(StateChange))]
internal sealed partial class StateJson : System.Text.Json.Serialization.JsonSerializerContext;

using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Azure.Cosmos;

namespace Prynai.McpServer.State.Stores;

/// <summary>
/// Shared state in one Cosmos DB container (partition key <c>/id</c>, point operations only). Counters are
/// incremented with a server-side patch (nothing lost under concurrency); values carry a TTL. Cosmos DB has no
/// pub/sub, so a change is appended as an event document numbered by a patched sequence, and each replica polls the
/// sequence (one point read per poll interval) and reads the new events.
/// </summary>
internal sealed partial class CosmosStateStore : IStateStore, IAsyncDisposable
{
    private const string SequenceId = "prynai:change-sequence";
    private static readonly TimeSpan EventLifetime = TimeSpan.FromMinutes(5);

    private readonly CosmosClient _client;
    private readonly CosmosStateOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ChangeFeedDispatcher _changes;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _initLock = new(1, 1);
    private Container? _container;
    private Task? _poller;

    public CosmosStateStore(CosmosClient client, CosmosStateOptions options, TimeProvider time, ILogger<CosmosStateStore> logger)
    {
        _client = client;
        _options = options;
        _time = time;
        _logger = logger;
        _changes = new ChangeFeedDispatcher(logger);
    }

    public string Kind => "cosmos";

    public async Task<long> GetCounterAsync(string name, CancellationToken cancellationToken) =>
        (await ReadAsync<CounterDocument>(name, cancellationToken))?.Value ?? 0;

    public Task<long> IncrementCounterAsync(string name, long delta, CancellationToken cancellationToken) =>
        GuardAsync(async container =>
        {
            if (!CounterRange.CanAdd(delta))
            {
                throw CounterOverflowException.Adding(name, delta);
            }
            // The server applies the increment only when the stored value leaves room for it (a patch condition); the
            // bound is below 2^53, where Cosmos DB's double arithmetic is exact.
            var room = delta switch
            {
                > 0 => new PatchItemRequestOptions { FilterPredicate = FormattableString.Invariant($"FROM c WHERE c[\"value\"] <= {CounterRange.Limit - delta}") },
                < 0 => new PatchItemRequestOptions { FilterPredicate = FormattableString.Invariant($"FROM c WHERE c[\"value\"] >= {-CounterRange.Limit - delta}") },
                _ => null,
            };
            while (true)
            {
                try
                {
                    var patched = await container.PatchItemAsync<CounterDocument>(name, new PartitionKey(name),
                        [PatchOperation.Increment("/value", delta)], room, cancellationToken);
                    return patched.Resource.Value;
                }
                catch (CosmosException ex) when (ex.StatusCode == HttpStatusCode.PreconditionFailed)
                {
                    throw CounterOverflowException.Adding(name, delta, ex);
                }
                catch (CosmosException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
                {
                    if (!CounterRange.Contains(delta))
                    {
                        throw CounterOverflowException.Adding(name, delta, ex);
                    }
                    try
                    {
                        await container.CreateItemAsync(new CounterDocument(name, delta), new PartitionKey(name), cancellationToken: cancellationToken);
                        return delta;
                    }
                    catch (CosmosException conflict) when (conflict.StatusCode == HttpStatusCode.Conflict)
                    {
                        // Another writer created it first: patch it like any existing counter.
                    }
                }
            }
        });

    public Task SetCounterAsync(string name, long value, CancellationToken cancellationToken) =>
        CounterRange.Contains(value)
            ? GuardAsync(container => container.UpsertItemAsync(new CounterDocument(name, value), new PartitionKey(name), cancellationToken: cancellationToken))
            : throw CounterOverflowException.Setting(name, value);

    public async Task<string?> GetValueAsync(string key, CancellationToken cancellationToken)
    {
        var entry = await ReadAsync<EntryDocument>(key, cancellationToken);
        return entry is null || entry.ExpiresAt is { } expires && expires <= _time.GetUtcNow().ToUnixTimeMilliseconds() ? null : entry.Value;
    }

    public Task SetValueAsync(string key, string value, TimeSpan? timeToLive, CancellationToken cancellationToken) =>
        GuardAsync(container => container.UpsertItemAsync(
            new EntryDocument(key, value,
                timeToLive is { } ttl ? _time.GetUtcNow().Add(ttl).ToUnixTimeMilliseconds() : null,
                timeToLive is { } seconds ? Math.Max(1, (int)Math.Ceiling(seconds.TotalSeconds)) : null),
            new PartitionKey(key), cancellationToken: cancellationToken));

    public Task<bool> DeleteValueAsync(string key, CancellationToken cancellationToken) =>
        GuardAsync(async container =>
        {
            try
            {
                await container.DeleteItemAsync<EntryDocument>(key, new PartitionKey(key), cancellationToken: cancellationToken);
                return true;
            }
            catch (CosmosException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                return false;
            }
        });

    public async Task PublishAsync(StateChange change, CancellationToken cancellationToken)
    {
        var sequence = await IncrementCounterAsync(SequenceId, 1, cancellationToken);
        await GuardAsync(container => container.CreateItemAsync(
            new ChangeEventDocument(EventId(sequence), change.Topic, change.Subject, change.Payload, (int)EventLifetime.TotalSeconds,
                _time.GetUtcNow().Add(EventLifetime).ToUnixTimeMilliseconds()),
            new PartitionKey(EventId(sequence)), cancellationToken: cancellationToken));
    }

    public IDisposable Subscribe(Func<StateChange, Task> handler) => _changes.Subscribe(handler);

    public async Task<StoreHealth> CheckHealthAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ReadAsync<CounterDocument>(SequenceId, cancellationToken);
            return new StoreHealth(true);
        }
        catch (StateStoreUnavailableException ex)
        {
            return new StoreHealth(false, ex.InnerException?.GetType().Name);
        }
    }

    /// <summary>
    /// Opens (or creates, when allowed) the database and container and starts polling for changes. A missing
    /// container that may not be created stops startup; an unreachable account does not (health reports it).
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ContainerAsync(cancellationToken);
        }
        catch (StateStoreUnavailableException ex)
        {
            LogUnavailableAtStart(_logger, ex.InnerException?.GetType().Name ?? "error");
        }
        _poller = Task.Run(() => PollChangesAsync(_stop.Token));
    }

    private async Task PollChangesAsync(CancellationToken cancellationToken)
    {
        long? seen = null;
        using var timer = new PeriodicTimer(_options.ChangePollInterval, _time);
        do
        {
            try
            {
                var latest = await GetCounterAsync(SequenceId, cancellationToken);
                seen ??= latest;
                for (var next = seen.Value + 1; next <= latest; next++)
                {
                    // The sequence is bumped before the event is written: an event not there yet is read on the next tick.
                    if (await ReadAsync<ChangeEventDocument>(EventId(next), cancellationToken) is not { } change)
                    {
                        break;
                    }
                    _changes.Enqueue(new StateChange(change.Topic, change.Subject, change.Payload));
                    seen = next;
                }
            }
            catch (StateStoreUnavailableException)
            {
                // Reported by the health check; polling resumes when the account answers again.
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
    }

    private Task<T?> ReadAsync<T>(string id, CancellationToken cancellationToken) where T : class =>
        GuardAsync(async container =>
        {
            try
            {
                return (await container.ReadItemAsync<T>(id, new PartitionKey(id), cancellationToken: cancellationToken)).Resource;
            }
            catch (CosmosException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
        });

    private async Task<T> GuardAsync<T>(Func<Container, Task<T>> operation)
    {
        try
        {
            return await operation(await ContainerAsync(CancellationToken.None));
        }
        catch (Exception ex) when (ex is CosmosException or HttpRequestException or TimeoutException
                                   || ex is OperationCanceledException && !_stop.IsCancellationRequested)
        {
            throw new StateStoreUnavailableException("cosmos", ex);
        }
    }

    private Task GuardAsync<T>(Func<Container, Task<ItemResponse<T>>> operation) => GuardAsync<ItemResponse<T>>(operation);

    /// <summary>The opened container (the task store keeps its documents in it too).</summary>
    internal async Task<Container> ContainerAsync(CancellationToken cancellationToken)
    {
        if (_container is { } ready)
        {
            return ready;
        }
        await _initLock.WaitAsync(cancellationToken);
        try
        {
            if (_container is not null)
            {
                return _container;
            }
            try
            {
                if (_options.CreateIfMissing)
                {
                    Database database = await _client.CreateDatabaseIfNotExistsAsync(_options.DatabaseName, cancellationToken: cancellationToken);
                    _container = await database.CreateContainerIfNotExistsAsync(
                        new ContainerProperties(_options.ContainerName, "/id") { DefaultTimeToLive = -1 }, cancellationToken: cancellationToken);
                }
                else
                {
                    var container = _client.GetContainer(_options.DatabaseName, _options.ContainerName);
                    await container.ReadContainerAsync(cancellationToken: cancellationToken);
                    _container = container;
                }
                return _container;
            }
            catch (CosmosException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                throw new InvalidOperationException(
                    $"Cosmos DB database '{_options.DatabaseName}' or container '{_options.ContainerName}' does not exist. " +
                    "Create it (partition key /id), or set State:Cosmos:CreateIfMissing=true (SEED_ON_STARTUP=true).", ex);
            }
            catch (CosmosException ex) when (ex.StatusCode == HttpStatusCode.Forbidden)
            {
                throw new InvalidOperationException(
                    $"This identity may not create Cosmos DB database '{_options.DatabaseName}' / container '{_options.ContainerName}' " +
                    "(data-plane roles cannot). Create them with the deployment (azd does), or grant the identity control-plane rights.", ex);
            }
        }
        catch (Exception ex) when (ex is CosmosException or HttpRequestException or TimeoutException)
        {
            throw new StateStoreUnavailableException("cosmos", ex);
        }
        finally
        {
            _initLock.Release();
        }
    }

    private static string EventId(long sequence) => $"prynai:change:{sequence}";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_poller is not null)
        {
            try
            {
                await _poller;
            }
            catch (OperationCanceledException)
            {
            }
        }
        await _changes.DisposeAsync();
        _client.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cosmos DB is unreachable at startup ({Error}); serving degraded until it answers")]
    private static partial void LogUnavailableAtStart(ILogger logger, string error);

    // Every document carries its format (RecordFormats): one without it was written before formats were numbered (1).
    internal sealed record CounterDocument(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("value")] long Value,
        [property: JsonPropertyName(RecordFormats.Property)] int Format = RecordFormats.CosmosDocument);

    internal sealed record EntryDocument(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("value")] string Value,
        [property: JsonPropertyName("expiresAt")] long? ExpiresAt,
        [property: JsonPropertyName("ttl"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Ttl,
        [property: JsonPropertyName(RecordFormats.Property)] int Format = RecordFormats.CosmosDocument);

    internal sealed record ChangeEventDocument(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("topic")] string Topic,
        [property: JsonPropertyName("subject")] string Subject,
        [property: JsonPropertyName("payload"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Payload,
        [property: JsonPropertyName("ttl")] int Ttl,
        [property: JsonPropertyName("expiresAt")] long ExpiresAt,
        [property: JsonPropertyName(RecordFormats.Property)] int Format = RecordFormats.CosmosDocument);
}

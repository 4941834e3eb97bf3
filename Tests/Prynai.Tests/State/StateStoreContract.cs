using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Prynai.McpServer.State;
using Prynai.McpServer.State.Stores;
using Prynai.Tests.Infrastructure;
using StackExchange.Redis;

namespace Prynai.Tests.State;

/// <summary>
/// What every state store must do, run against each real backend (SQLite file, redis-server, Cosmos protocol server).
/// Each test uses its own keys, so the backing server can be shared.
/// </summary>
public abstract class StateStoreContract : IAsyncDisposable
{
    private readonly string _prefix = $"test:{Guid.NewGuid():N}:";
    private readonly List<IStateStore> _stores = [];

    /// <summary>A new store instance; two instances over one backend behave as two replicas.</summary>
    protected abstract Task<IStateStore> OpenStoreAsync();

    private async Task<IStateStore> CreateStoreAsync()
    {
        var store = await OpenStoreAsync();
        _stores.Add(store);
        return store;
    }

    public virtual async ValueTask DisposeAsync()
    {
        foreach (var store in _stores.OfType<IAsyncDisposable>())
        {
            await store.DisposeAsync();
        }
        GC.SuppressFinalize(this);
    }

    /// <summary>Whether a change published by one instance reaches another (false only for the single-replica SQLite store).</summary>
    protected virtual bool SharedAcrossInstances => true;

    private string Key(string name) => _prefix + name;

    [Fact]
    public async Task Counter_StartsAtZero_AddsAndSets()
    {
        var store = await CreateStoreAsync();
        var counter = Key("counter");

        Assert.Equal(0, await store.GetCounterAsync(counter, Ct));
        Assert.Equal(5, await store.IncrementCounterAsync(counter, 5, Ct));
        Assert.Equal(3, await store.IncrementCounterAsync(counter, -2, Ct));
        await store.SetCounterAsync(counter, 40, Ct);
        Assert.Equal(41, await store.IncrementCounterAsync(counter, 1, Ct));
        Assert.Equal(41, await store.GetCounterAsync(counter, Ct));
    }

    [Fact]
    public async Task Counter_ConcurrentIncrementsFromTwoInstances_LoseNothing()
    {
        var (first, second) = (await CreateStoreAsync(), await CreateStoreAsync());
        var counter = Key("contended");

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            (i % 2 == 0 ? first : second).IncrementCounterAsync(counter, 1, Ct)));

        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), results.Order());
        Assert.Equal(200, await first.GetCounterAsync(counter, Ct));
    }

    [Fact]
    public async Task Counter_ChangeBeyondItsRange_IsRefused_AndChangesNothing()
    {
        var store = await CreateStoreAsync();
        var counter = Key("edge");

        await store.SetCounterAsync(counter, CounterRange.Limit, Ct);
        await Assert.ThrowsAsync<CounterOverflowException>(() => store.IncrementCounterAsync(counter, 1, Ct));
        await Assert.ThrowsAsync<CounterOverflowException>(() => store.IncrementCounterAsync(counter, long.MaxValue, Ct));
        Assert.Equal(CounterRange.Limit, await store.GetCounterAsync(counter, Ct));
        Assert.Equal(CounterRange.Limit - 1, await store.IncrementCounterAsync(counter, -1, Ct));

        await store.SetCounterAsync(counter, -CounterRange.Limit, Ct);
        await Assert.ThrowsAsync<CounterOverflowException>(() => store.IncrementCounterAsync(counter, -1, Ct));
        await Assert.ThrowsAsync<CounterOverflowException>(() => store.IncrementCounterAsync(counter, long.MinValue, Ct));
        await Assert.ThrowsAsync<CounterOverflowException>(() => store.SetCounterAsync(counter, long.MaxValue, Ct));
        Assert.Equal(-CounterRange.Limit, await store.GetCounterAsync(counter, Ct));
        Assert.Equal(CounterRange.Limit, await store.IncrementCounterAsync(counter, 2 * CounterRange.Limit, Ct));

        var fresh = Key("fresh");
        await Assert.ThrowsAsync<CounterOverflowException>(() => store.IncrementCounterAsync(fresh, CounterRange.Limit + 1, Ct));
        Assert.Equal(0, await store.GetCounterAsync(fresh, Ct));
        Assert.Equal(-CounterRange.Limit, await store.IncrementCounterAsync(fresh, -CounterRange.Limit, Ct));
    }

    [Fact]
    public async Task Values_SetGetOverwriteDelete()
    {
        var store = await CreateStoreAsync();
        var key = Key("value");

        Assert.Null(await store.GetValueAsync(key, Ct));
        await store.SetValueAsync(key, "one", null, Ct);
        Assert.Equal("one", await store.GetValueAsync(key, Ct));
        await store.SetValueAsync(key, "two", TimeSpan.FromMinutes(5), Ct);
        Assert.Equal("two", await store.GetValueAsync(key, Ct));
        Assert.True(await store.DeleteValueAsync(key, Ct));
        Assert.False(await store.DeleteValueAsync(key, Ct));
        Assert.Null(await store.GetValueAsync(key, Ct));
    }

    [Fact]
    public async Task Values_ExpireAfterTheirTimeToLive()
    {
        var store = await CreateStoreAsync();
        var key = Key("expiring");

        // Long enough to read it back on a busy machine (the Cosmos test server is slow then); gone within seconds after.
        await store.SetValueAsync(key, "soon gone", TimeSpan.FromSeconds(3), Ct);
        Assert.Equal("soon gone", await store.GetValueAsync(key, Ct));
        await Eventually.TrueAsync(() => store.GetValueAsync(key, Ct).GetAwaiter().GetResult() is null, TimeSpan.FromSeconds(15),
            "the value should expire after its time to live");
    }

    [Fact]
    public async Task Changes_ReachSubscribers_OnThisInstanceAndOthers()
    {
        var publisher = await CreateStoreAsync();
        var listeners = SharedAcrossInstances ? [publisher, await CreateStoreAsync()] : new[] { publisher };
        var subject = Key("resource");
        var heard = new ConcurrentBag<(int Listener, StateChange Change)>();
        var subscriptions = listeners.Select((store, index) => store.Subscribe(change =>
        {
            if (change.Subject == subject)
            {
                heard.Add((index, change));
            }
            return Task.CompletedTask;
        })).ToList();
        await Task.Delay(300, Ct);

        await publisher.PublishAsync(new StateChange(StateTopics.ResourceUpdated, subject), Ct);

        await Eventually.TrueAsync(() => heard.Select(h => h.Listener).Distinct().Count() == listeners.Length,
            TimeSpan.FromSeconds(10), "every instance should hear the change");
        Assert.All(heard, h => Assert.Equal(StateTopics.ResourceUpdated, h.Change.Topic));
        subscriptions.ForEach(s => s.Dispose());
    }

    private static readonly EventLogLimits Roomy = new(100, TimeSpan.FromMinutes(5));

    [Fact]
    public async Task EventLog_AppendsInOrder_AndReadsWhatFollowsAnId()
    {
        var store = await CreateStoreAsync();
        var log = Key("log");

        var first = await store.AppendEventAsync(log, "one", Roomy, Ct);
        var second = await store.AppendEventAsync(log, "two", Roomy, Ct);
        var third = await store.AppendEventAsync(log, "{\"three\":3}", Roomy, Ct);

        Assert.Equal(0, first.PreviousId);
        Assert.Equal(first.Id, second.PreviousId);
        Assert.Equal(second.Id, third.PreviousId);
        Assert.True(first.Id > 0 && first.Id < second.Id && second.Id < third.Id);
        Assert.Equal([(first.Id, "one"), (second.Id, "two"), (third.Id, "{\"three\":3}")],
            (await store.ReadEventsAsync(log, 0, Ct)).Select(e => (e.Id, e.Data)));
        Assert.Equal(["two", "{\"three\":3}"], (await store.ReadEventsAsync(log, first.Id, Ct)).Select(e => e.Data));
        Assert.Empty(await store.ReadEventsAsync(log, third.Id, Ct));
        Assert.Empty(await store.ReadEventsAsync(Key("other-log"), 0, Ct));
    }

    [Fact]
    public async Task EventLog_KeepsAtMostItsMaximum_DroppingTheOldest()
    {
        var store = await CreateStoreAsync();
        var log = Key("bounded");
        var limits = new EventLogLimits(3, TimeSpan.FromMinutes(5));

        for (var i = 1; i <= 5; i++)
        {
            await store.AppendEventAsync(log, $"e{i}", limits, Ct);
        }

        Assert.Equal(["e3", "e4", "e5"], (await store.ReadEventsAsync(log, 0, Ct)).Select(e => e.Data));
    }

    [Fact]
    public async Task EventLog_EventsExpire_AndIdsKeepIncreasingWhenTheLogStartsAgain()
    {
        var store = await CreateStoreAsync();
        var log = Key("expiring-log");
        var shortLived = new EventLogLimits(100, TimeSpan.FromSeconds(1));

        var before = await store.AppendEventAsync(log, "old", shortLived, Ct);
        await Task.Delay(TimeSpan.FromSeconds(1.6), Ct);
        Assert.Empty(await store.ReadEventsAsync(log, 0, Ct));

        var after = await store.AppendEventAsync(log, "new", shortLived, Ct);
        Assert.True(after.Id > before.Id, $"id {after.Id} after the log expired must exceed {before.Id}");
        Assert.Equal(["new"], (await store.ReadEventsAsync(log, before.Id, Ct)).Select(e => e.Data));
    }

    [Fact]
    public async Task EventLog_TwoInstancesAppendingTogether_GetDistinctIdsInOneOrder()
    {
        var (first, second) = (await CreateStoreAsync(), await CreateStoreAsync());
        var log = Key("shared-log");

        var appended = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            (i % 2 == 0 ? first : second).AppendEventAsync(log, $"e{i}", Roomy, Ct)));

        Assert.Equal(20, appended.Select(a => a.Id).Distinct().Count());
        var read = await second.ReadEventsAsync(log, 0, Ct);
        Assert.Equal(appended.Select(a => a.Id).Order(), read.Select(e => e.Id));
        // Each append names the one before it: together they chain every event once.
        Assert.Equal(read.Select(e => e.Id).SkipLast(1).Prepend(0), appended.OrderBy(a => a.Id).Select(a => a.PreviousId));
    }

    [Fact]
    public async Task EventLog_Delete_RemovesTheLog()
    {
        var store = await CreateStoreAsync();
        var log = Key("deleted-log");
        var appended = await store.AppendEventAsync(log, "x", Roomy, Ct);

        await store.DeleteEventLogAsync(log, Ct);

        Assert.Empty(await store.ReadEventsAsync(log, 0, Ct));
        Assert.True((await store.AppendEventAsync(log, "y", Roomy, Ct)).Id > appended.Id);
    }

    [Fact]
    public async Task Health_IsReportedHealthy()
    {
        var store = await CreateStoreAsync();
        Assert.True((await store.CheckHealthAsync(Ct)).IsHealthy);
    }

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;
}

public sealed class SqliteStoreContractTests : StateStoreContract
{
    private readonly TempDirectory _directory = new();

    protected override bool SharedAcrossInstances => false;

    protected override Task<IStateStore> OpenStoreAsync() =>
        Task.FromResult(TestStateStores.Sqlite(_directory.File("state.db")));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _directory.Dispose();
    }
}

public sealed class RedisStoreContractTests(RedisFixture redis) : StateStoreContract, IClassFixture<RedisFixture>
{
    private readonly List<ConnectionMultiplexer> _connections = [];

    /// <summary>Each store on its own connection, as each replica has, made from the REDIS_URL form.</summary>
    protected override async Task<IStateStore> OpenStoreAsync()
    {
        var (store, connection) = await TestStateStores.RedisAsync(redis.Server.Url);
        _connections.Add(connection);
        return store;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }
    }
}

public sealed class CosmosStoreContractTests(CosmosFixture cosmos) : StateStoreContract, IClassFixture<CosmosFixture>
{
    protected override async Task<IStateStore> OpenStoreAsync()
    {
        return await TestStateStores.CosmosAsync(cosmos.Server.ConnectionString, Ct);
    }
}

public sealed class RedisFixture : IAsyncLifetime
{
    public RedisServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Server = await RedisServer.StartAsync();

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}

public sealed class CosmosFixture : IAsyncLifetime
{
    public CosmosServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Server = await CosmosServer.StartAsync();

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}

using Microsoft.Extensions.Logging.Abstractions;
using Prynai.McpServer.State;
using Prynai.McpServer.State.Stores;
using StackExchange.Redis;

namespace Prynai.Tests.Infrastructure;

/// <summary>State stores on the backends the store contracts run against, opened as a replica opens them.</summary>
internal static class TestStateStores
{
    public static IStateStore Sqlite(string path) =>
        new SqliteStateStore(path, TimeProvider.System, NullLogger<SqliteStateStore>.Instance);

    /// <summary>A store on a connection of its own, as each replica has, made from the REDIS_URL form; the caller disposes the connection.</summary>
    public static async Task<(IStateStore Store, ConnectionMultiplexer Connection)> RedisAsync(string url)
    {
        var connection = await ConnectionMultiplexer.ConnectAsync(RedisConnection.Parse(url));
        var store = new RedisStateStore(connection, new StoreAvailability(TimeProvider.System, NullLogger<StoreAvailability>.Instance), NullLogger<RedisStateStore>.Instance);
        await store.StartAsync();
        return (store, connection);
    }

    /// <summary>Through the gateway to the test emulator, its change feed polled every 200 ms.</summary>
    public static async Task<IStateStore> CosmosAsync(string connectionString, CancellationToken cancellationToken)
    {
        var options = new CosmosStateOptions
        {
            ConnectionMode = "Gateway",
            LimitToEndpoint = true,
            EmulatorCompatibility = true,
            ChangePollInterval = TimeSpan.FromMilliseconds(200),
        };
        var store = new CosmosStateStore(CosmosConnection.CreateClient(connectionString, options), options, TimeProvider.System, NullLogger<CosmosStateStore>.Instance);
        await store.StartAsync(cancellationToken);
        return store;
    }
}

using System.Text.Json;
using Microsoft.Azure.Cosmos;
using Prynai.McpServer.State;
using Prynai.McpServer.State.Stores;
using Prynai.McpServer.Support;
using Prynai.McpServer.Support.Data;
using Prynai.Tests.Infrastructure;
using Prynai.Tests.State;

namespace Prynai.Tests.Support;

public sealed class SqliteSupportRepositoryTests : SupportRepositoryContract
{
    private readonly TempDirectory _directory = new("prynai-support");

    protected override Task<ISupportRepository> OpenRepositoryAsync() =>
        Task.FromResult<ISupportRepository>(new SqliteSupportRepository(_directory.File("contoso.db")));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _directory.Dispose();
    }
}

/// <summary>The contract against the Cosmos protocol server (one server per class, one database per test), plus the layout.</summary>
public sealed class CosmosSupportRepositoryTests(CosmosFixture cosmos) : SupportRepositoryContract, IClassFixture<CosmosFixture>
{
    private readonly string _database = $"contoso-{Guid.NewGuid():N}";
    private readonly List<CosmosClient> _clients = [];

    protected override Task<ISupportRepository> OpenRepositoryAsync() => Task.FromResult<ISupportRepository>(Open(_database, createIfMissing: true));

    [Fact]
    public async Task Initialize_WithoutCreating_AcceptsTheSeededLayout() =>
        await Open(_database, createIfMissing: false).InitializeAsync(Ct);

    [Fact]
    public async Task Initialize_WithoutCreating_NamesTheMissingDatabase()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Open("absent", createIfMissing: false).InitializeAsync(Ct));
        Assert.Contains("database 'absent' does not exist", error.Message);
    }

    [Fact]
    public async Task Initialize_WithoutCreating_NamesTheMissingAndMisconfiguredContainers()
    {
        var name = $"partial-{Guid.NewGuid():N}";
        Database database = await Client().CreateDatabaseAsync(name, cancellationToken: Ct);
        await database.CreateContainerAsync("customers", "/id", cancellationToken: Ct);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Open(name, createIfMissing: false).InitializeAsync(Ct));

        Assert.Contains("container 'customers' has partition key /id, not /customerId", error.Message);
        Assert.Contains("container 'catalog' (partition key /kind) is missing", error.Message);
    }

    [Fact]
    public async Task Layout_UsageIsOneDocumentPerSubscriptionAndMonth_PaymentsLiveInTheirInvoice()
    {
        var customers = Client().GetContainer(_database, "customers");

        var usage = await QueryAsync(customers, "C9004", "SELECT * FROM c WHERE c.customerId = 'C9004' AND c.type = 'usage'");
        Assert.Equal(["C9004-S1-U2026-08", "C9004-S1-U2026-09", "C9004-S1-U2026-10"], usage.Select(d => d.GetProperty("id").GetString()).Order(StringComparer.Ordinal));
        Assert.Equal([29, 30, 31], usage.OrderBy(d => d.GetProperty("month").GetString(), StringComparer.Ordinal).Select(d => d.GetProperty("days").GetArrayLength()));

        var invoice = Data.Invoices.First(i => i.CustomerId == "C9001" && i.Status == "overdue");
        var stored = (await customers.ReadItemAsync<JsonElement>(invoice.Id, new PartitionKey("C9001"), cancellationToken: Ct)).Resource;
        Assert.Equal("invoice", stored.GetProperty("type").GetString());
        Assert.Equal("overdue", stored.GetProperty("record").GetProperty("status").GetString());
        Assert.Equal($"{invoice.Id}-P1", stored.GetProperty("payments")[0].GetProperty("id").GetString());

        var all = await QueryAsync(customers, "C9001", "SELECT * FROM c WHERE c.customerId = 'C9001'");
        var expected = 1 + Data.Subscriptions.Count(s => s.CustomerId == "C9001") * (1 + SupportDataSeeder.InvoiceMonths + 3)
            + Data.SecurityLogs.Count(l => l.CustomerId == "C9001") + Data.Tickets.Count(t => t.CustomerId == "C9001");
        Assert.Equal(expected, all.Count);
    }

    [Fact]
    public async Task UnreachableAccount_IsReportedAsUnavailable()
    {
        var client = CosmosConnection.CreateClient($"AccountEndpoint=http://127.0.0.1:{FreePort.Next()}/;AccountKey={CosmosServer.EmulatorKey};", TestServerOptions());
        _clients.Add(client);

        var error = await Assert.ThrowsAsync<StateStoreUnavailableException>(() => new CosmosSupportRepository(client, "contoso", true).GetCustomerAsync("C9001", Ct));

        Assert.Equal("cosmos", error.Store);
    }

    public override async ValueTask DisposeAsync()
    {
        _clients.ForEach(client => client.Dispose());
        await base.DisposeAsync();
    }

    private CosmosSupportRepository Open(string database, bool createIfMissing) => new(Client(), database, createIfMissing);

    private CosmosClient Client()
    {
        var client = CosmosConnection.CreateClient(cosmos.Server.ConnectionString, TestServerOptions());
        _clients.Add(client);
        return client;
    }

    private static CosmosStateOptions TestServerOptions() => new() { ConnectionMode = "Gateway", LimitToEndpoint = true, EmulatorCompatibility = true };

    private static async Task<List<JsonElement>> QueryAsync(Container container, string partitionKey, string query)
    {
        var results = new List<JsonElement>();
        using var iterator = container.GetItemQueryIterator<JsonElement>(query, requestOptions: new QueryRequestOptions { PartitionKey = new PartitionKey(partitionKey) });
        while (iterator.HasMoreResults)
        {
            results.AddRange(await iterator.ReadNextAsync(Ct));
        }
        return results;
    }
}

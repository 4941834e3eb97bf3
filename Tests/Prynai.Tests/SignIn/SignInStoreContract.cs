using Microsoft.Extensions.Logging.Abstractions;
using Prynai.McpServer.SignIn;
using Prynai.McpServer.State;
using Prynai.McpServer.State.Stores;
using Prynai.Tests.Infrastructure;
using Prynai.Tests.State;
using StackExchange.Redis;

namespace Prynai.Tests.SignIn;

/// <summary>
/// What sign-in needs of the state store, on each real backend (SQLite file, redis-server, Cosmos protocol server):
/// records round-trip with their format version, single use holds between two instances (two replicas), limits are
/// shared, and records expire. Each test uses its own ids, so the backend is shared.
/// </summary>
public abstract class SignInStoreContract : IAsyncDisposable
{
    private readonly List<IStateStore> _stores = [];

    protected abstract Task<IStateStore> OpenBackendAsync();

    private async Task<SignInStore> OpenAsync()
    {
        var backend = await OpenBackendAsync();
        _stores.Add(backend);
        return new SignInStore(backend, TimeProvider.System);
    }

    private static string Id() => Guid.NewGuid().ToString("N");

    private static readonly SignedInUser User = new("oid-1", "tid-1", "Ann", "ann@contoso.test", ["MCP.Access"], ["Mcp.Access"]);

    private static GrantRecord Grant(string id) => new(RecordFormats.SignIn, id, "client-1", User, ["api://x/.default"], "http://127.0.0.1/mcp", "sealed");

    [Fact]
    public async Task PendingRequest_RoundTrips_AndIsTakenOnce()
    {
        var (a, b) = (await OpenAsync(), await OpenAsync());
        var pending = new PendingAuthorization(RecordFormats.SignIn, Id(), "client-1", "http://127.0.0.1/cb", ["s"], "http://r/mcp",
            new Dictionary<string, string> { ["state"] = "x" }, "csrf-hash", "browser-hash", User: User, ApprovedOnPage: true);
        await a.SavePendingAsync(pending, TimeSpan.FromMinutes(5), Ct);

        var read = await b.GetPendingAsync(pending.Id, Ct);
        Assert.NotNull(read);
        Assert.Equal((pending.ClientId, pending.RedirectUri, "x", User.ObjectId, true), (read.ClientId, read.RedirectUri, read.Parameters["state"], read.User!.ObjectId, read.ApprovedOnPage));

        var takes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => (i % 2 == 0 ? a : b).TakePendingAsync(pending.Id, Ct)));
        Assert.Single(takes, t => t is not null);
        Assert.Null(await a.GetPendingAsync(pending.Id, Ct));
    }

    [Fact]
    public async Task Code_IsRedeemedByExactlyOneOfManyConcurrentAttempts_OnTwoInstances()
    {
        var (a, b) = (await OpenAsync(), await OpenAsync());
        var code = Id();
        await a.SaveCodeAsync(Grant(Id()), code, TimeSpan.FromMinutes(2), Ct);

        var redeemed = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => (i % 2 == 0 ? a : b).TakeCodeAsync(code, Ct)));

        Assert.Single(redeemed, g => g is not null);
        Assert.Equal((User.ObjectId, "sealed"), (redeemed.Single(g => g is not null)!.User.ObjectId, redeemed.Single(g => g is not null)!.UpstreamTokens));
    }

    [Fact]
    public async Task RefreshToken_IsUsedOnce_AndARedeemedCodeNamesItsFamily()
    {
        var (a, b) = (await OpenAsync(), await OpenAsync());
        var (refresh, family, code) = (Id(), Id(), Id());
        await a.SaveRefreshAsync(refresh, family, TimeSpan.FromMinutes(5), Ct);
        await a.MarkCodeRedeemedAsync(code, family, TimeSpan.FromMinutes(5), Ct);

        var uses = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => (i % 2 == 0 ? a : b).TakeRefreshAsync(refresh, Ct)));

        Assert.Equal(1, uses.Count(used => used));
        Assert.Equal(family, await b.RedeemedCodeFamilyAsync(code, Ct));
    }

    [Fact]
    public async Task Family_RoundTrips_AndDeletingItMarksItRevoked()
    {
        var (a, b) = (await OpenAsync(), await OpenAsync());
        var family = Grant(Id()) with { CurrentRefreshId = "r1" };
        await a.SaveFamilyAsync(family, TimeSpan.FromMinutes(5), Ct);
        Assert.Equal("r1", (await b.GetFamilyAsync(family.Id, Ct))!.CurrentRefreshId);
        Assert.False(await b.IsFamilyRevokedAsync(family.Id, Ct));

        Assert.True(await b.DeleteFamilyAsync(family.Id, Ct));

        Assert.Null(await a.GetFamilyAsync(family.Id, Ct));
        Assert.True(await a.IsFamilyRevokedAsync(family.Id, Ct));
    }

    [Fact]
    public async Task ConsentAndRegisteredClient_RoundTrip_AndExpire()
    {
        var (a, b) = (await OpenAsync(), await OpenAsync());
        var clientId = "dcr_" + Id();
        await a.SaveConsentAsync(User.Key, clientId, ["s1", "s2"], TimeSpan.FromMinutes(5), Ct);
        await a.SaveClientAsync(new RegisteredClientRecord(RecordFormats.SignIn, clientId, "Name", ["http://127.0.0.1/cb"], null, DateTimeOffset.UtcNow),
            TimeSpan.FromSeconds(1), Ct);

        Assert.Equal(["s1", "s2"], (await b.GetConsentAsync(User.Key, clientId, Ct))!.Scopes);
        Assert.Null(await b.GetConsentAsync("someone-else", clientId, Ct));
        Assert.Equal("Name", (await b.GetClientAsync(clientId, Ct))!.ClientName);

        // The registration lives one second (the store's own expiry, on every backend).
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (await b.GetClientAsync(clientId, Ct) is not null)
        {
            Assert.True(DateTime.UtcNow < deadline, "The registration did not expire.");
            await Task.Delay(100, Ct);
        }
    }

    [Fact]
    public async Task RegistrationLimits_AreSharedBetweenInstances_PerAddressAndInTotal()
    {
        var (a, b) = (await OpenAsync(), await OpenAsync());
        var limits = new DynamicRegistrationOptions { PerAddress = 3, Total = 1_000_000, Window = TimeSpan.FromMinutes(5) };
        var address = "192.0.2." + Random.Shared.Next(1, 250) + "-" + Id();

        var admitted = new List<bool>();
        for (var i = 0; i < 5; i++)
        {
            admitted.Add(await (i % 2 == 0 ? a : b).TryCountRegistrationAsync(address, limits, Ct));
        }

        Assert.Equal([true, true, true, false, false], admitted);
        Assert.True(await a.TryCountRegistrationAsync("other-" + Id(), limits, Ct));
    }

    [Fact]
    public async Task ARecordOfANewerFormat_IsRead_IgnoringWhatItDoesNotKnow_AndAnUnreadableOneReadsAsAbsent()
    {
        var backend = await OpenBackendAsync();
        _stores.Add(backend);
        var store = new SignInStore(backend, TimeProvider.System);
        var (newer, incomplete) = (Id(), Id());
        var written = System.Text.Json.Nodes.JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(Grant(newer), SignInJson.Default.GrantRecord))!.AsObject();
        written[RecordFormats.Property] = 99;
        written["addedLater"] = new System.Text.Json.Nodes.JsonObject { ["x"] = 1 };
        await backend.SetValueAsync($"{SignInStore.Prefix}family:{newer}", written.ToJsonString(), TimeSpan.FromMinutes(1), Ct);
        await backend.SetValueAsync($"{SignInStore.Prefix}family:{incomplete}", """{"format":1,"id":null}""", TimeSpan.FromMinutes(1), Ct);

        var read = await store.GetFamilyAsync(newer, Ct);
        Assert.NotNull(read);
        Assert.Equal(99, read.Format);
        Assert.Equal("client-1", read.ClientId);
        Assert.Null(await store.GetFamilyAsync(incomplete, Ct));
    }

    public virtual async ValueTask DisposeAsync()
    {
        foreach (var store in _stores.OfType<IAsyncDisposable>())
        {
            await store.DisposeAsync();
        }
        GC.SuppressFinalize(this);
    }

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;
}

public sealed class SqliteSignInStoreContractTests : SignInStoreContract
{
    private readonly TempDirectory _directory = new();

    protected override Task<IStateStore> OpenBackendAsync() =>
        Task.FromResult(TestStateStores.Sqlite(_directory.File("state.db")));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _directory.Dispose();
    }
}

public sealed class RedisSignInStoreContractTests(RedisFixture redis) : SignInStoreContract, IClassFixture<RedisFixture>
{
    private readonly List<ConnectionMultiplexer> _connections = [];

    protected override async Task<IStateStore> OpenBackendAsync()
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

public sealed class CosmosSignInStoreContractTests(CosmosFixture cosmos) : SignInStoreContract, IClassFixture<CosmosFixture>
{
    protected override async Task<IStateStore> OpenBackendAsync()
    {
        return await TestStateStores.CosmosAsync(cosmos.Server.ConnectionString, Ct);
    }
}

using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Prynai.SmokeClient.Connection;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.State;

/// <summary>
/// Two server processes behind nginx (round-robin, no sticky sessions) sharing one store must behave as one server:
/// exact counters on every store; on a store with a change feed (Redis, Cosmos DB) also notifications that cross
/// replicas and streams that resume on the other one. One pair of replicas per store, started once for its class
/// (tests in a class run one after another, each on its own sessions); the stores' classes run side by side.
/// </summary>
public abstract class MultiReplicaTests(ReplicaPair replicas)
{
    protected ReplicaPair Replicas => replicas;

    [Fact]
    public async Task ConcurrentBumpsAcrossTwoReplicas_SumExactly()
    {
        const int Bumps = 1000;
        using var http = new HttpClient { BaseAddress = replicas.Proxy.McpEndpoint };
        await StatelessCalls.CallToolAsync(http, "set_counter", new JsonObject { ["value"] = 0 });

        using var gate = new SemaphoreSlim(32);
        var acknowledged = await Task.WhenAll(Enumerable.Range(0, Bumps).Select(async _ =>
        {
            await gate.WaitAsync(Ct);
            try
            {
                return await StatelessCalls.CallToolAsync(http, "bump_counter", new JsonObject { ["step"] = 1 });
            }
            finally
            {
                gate.Release();
            }
        }));

        Assert.All(acknowledged, result => Assert.NotEqual(true, result["isError"]?.GetValue<bool>()));
        Assert.Equal(Enumerable.Range(1, Bumps).Select(i => (long)i), acknowledged.Select(r => r["structuredContent"]!["value"]!.GetValue<long>()).Order());
        await using var client = await ConnectAsync(replicas.Proxy.McpEndpoint);
        Assert.Equal(Bumps.ToString(), ((TextResourceContents)(await client.ReadResourceAsync("prynai://counter", cancellationToken: Ct)).Contents[0]).Text);
    }

    protected static Task<McpClient> ConnectAsync(Uri endpoint, string? protocol = null) =>
        McpConnection.ConnectAsync(new ConnectionSettings(endpoint, protocol, null, Sampling: true), null, Ct);

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;
}

/// <summary>What a store with a change feed adds: notifications and resumable streams across replicas.</summary>
public abstract class ChangeFeedReplicaTests(ReplicaPair replicas) : MultiReplicaTests(replicas)
{
    /// <summary>
    /// How long a change takes to reach the other replica's copy through the store's feed (Cosmos DB is polled every
    /// 200 ms here), with room for a busy machine; nothing a client can see says when it has arrived.
    /// </summary>
    private static readonly TimeSpan ChangeFeedSettle = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task GetStreamCutOnA_ResumesOnBWithLastEventId_WithoutMissingANotification()
    {
        var a = new HttpClient { BaseAddress = Replicas.A.BaseAddress };
        var b = new HttpClient { BaseAddress = Replicas.B.BaseAddress };
        var sessionId = await McpSessions.InitializeAsync(a);
        await McpSessions.SubscribeToCounterAsync(b, sessionId);
        await Task.Delay(ChangeFeedSettle, Ct); // the subscription reaches A's copy through the change feed

        string primed;
        await using (var cut = await McpSessions.OpenStreamAsync(a, sessionId))
        {
            primed = await cut.EventIdAsync();
        }
        await Task.Delay(300, Ct);
        // While the client is away, changes made through B: A, which held the stream, records them in the store.
        await McpSessions.BumpCounterAsync(b, sessionId);
        await McpSessions.BumpCounterAsync(b, sessionId);
        await Task.Delay(ChangeFeedSettle, Ct);

        await using var resumed = await McpSessions.OpenStreamAsync(b, sessionId, lastEventId: primed);
        await resumed.NextAsync("notifications/resources/updated");
        await resumed.NextAsync("notifications/resources/updated");

        // Live again, now from B: a change made through A reaches the stream on B.
        await Task.Delay(ChangeFeedSettle, Ct);
        await McpSessions.BumpCounterAsync(a, sessionId);
        Assert.Equal("prynai://counter", (await resumed.NextAsync("notifications/resources/updated"))["params"]!["uri"]!.GetValue<string>());
    }

    [Fact]
    public async Task ListenerOnA_HearsACounterChangeMadeThroughB()
    {
        var a = new HttpClient { BaseAddress = Replicas.A.BaseAddress };
        var b = new HttpClient { BaseAddress = Replicas.B.BaseAddress };

        await using var listen = await SseStream.OpenAsync(a, McpHttp.StatelessRequest("subscriptions/listen",
            new JsonObject { ["notifications"] = new JsonObject { ["resourceSubscriptions"] = new JsonArray("prynai://counter") } }, id: 77));
        Assert.Equal("notifications/subscriptions/acknowledged", (await listen.NextAsync())["method"]!.GetValue<string>());

        using var bump = await b.SendAsync(McpHttp.StatelessRequest("tools/call",
            new JsonObject { ["name"] = "bump_counter", ["arguments"] = new JsonObject() }, name: "bump_counter"), Ct);
        Assert.Equal(HttpStatusCode.OK, bump.StatusCode);

        var update = await listen.NextAsync("notifications/resources/updated");
        Assert.Equal(77, update["params"]!["_meta"]!["io.modelcontextprotocol/subscriptionId"]!.GetValue<int>());
    }
}

/// <summary>Two replicas on Redis; the balancer's behaviour is checked here once.</summary>
public sealed class RedisMultiReplicaTests(RedisReplicaPair replicas) : ChangeFeedReplicaTests(replicas), IClassFixture<RedisReplicaPair>
{
    [Fact]
    public async Task StatelessRequests_AreSpreadOverBothReplicas_AndAnsweredAlike()
    {
        await using var client = await ConnectAsync(Replicas.Proxy.McpEndpoint);

        var deployments = new HashSet<string>();
        for (var i = 0; i < 6; i++)
        {
            var info = await client.ReadResourceAsync("prynai://server-info", cancellationToken: Ct);
            deployments.Add(JsonNode.Parse(((TextResourceContents)info.Contents[0]).Text)!["deployment"]!.GetValue<string>());
        }
        Assert.Equal(["replica-a", "replica-b"], deployments.Order());
    }

    [Fact]
    public async Task SessionThroughTheBalancer_KeepsWorking_WhateverReplicaServesEachRequest()
    {
        await using var client = await ConnectAsync(Replicas.Proxy.McpEndpoint, "2025-11-25");
        Assert.NotNull(client.SessionId);

        for (var i = 0; i < 8; i++)
        {
            var sum = await client.CallToolAsync("add", new Dictionary<string, object?> { ["a"] = i, ["b"] = 1 }, cancellationToken: Ct);
            Assert.Equal(i + 1, sum.StructuredContent!.Value.GetProperty("result").GetDouble());
        }
        // The client answers each sampling request with a new POST, which round-robin may hand to the other replica.
        for (var i = 0; i < 4; i++)
        {
            var summary = await client.CallToolAsync("summarize_via_client_llm", new Dictionary<string, object?> { ["text"] = $"text {i}" }, cancellationToken: Ct);
            Assert.StartsWith("MOCK:", summary.StructuredContent!.Value.GetProperty("summary").GetString());
        }
    }

    [Fact]
    public async Task ARequestRunningOnA_CancelledThroughB_EndsItsStreamOnA()
    {
        // long_task's 50 steps take 10 s here (RedisReplicaPair's step delay): ending within 2 s is the cancellation.
        var a = new HttpClient { BaseAddress = Replicas.A.BaseAddress };
        var b = new HttpClient { BaseAddress = Replicas.B.BaseAddress };
        var sessionId = await McpSessions.InitializeAsync(a);
        await using var call = await SseStream.OpenAsync(a, McpHttp.SessionRequest(sessionId, "tools/call", new JsonObject
        {
            ["name"] = "long_task",
            ["arguments"] = new JsonObject { ["steps"] = 50 },
            ["_meta"] = new JsonObject { ["progressToken"] = "p" },
        }, id: 21));
        await call.NextAsync("notifications/progress");

        using var cancel = await b.SendAsync(McpHttp.SessionRequest(sessionId, "notifications/cancelled", new JsonObject { ["requestId"] = 21 }), Ct);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.True(await call.EndsWithinAsync(TimeSpan.FromSeconds(2)), "A should end the stream of the request cancelled through B");
    }

    [Fact]
    public async Task SessionCreatedOnA_IsServedByB_AndBsCounterChangeReachesItsStreamOnA()
    {
        var a = new HttpClient { BaseAddress = Replicas.A.BaseAddress };
        var b = new HttpClient { BaseAddress = Replicas.B.BaseAddress };

        var sessionId = await McpSessions.InitializeAsync(a);
        await using var stream = await SseStream.OpenAsync(a, McpSessions.Request(HttpMethod.Get, sessionId));

        using (var subscribe = await b.SendAsync(McpHttp.SessionRequest(sessionId, "resources/subscribe", new JsonObject { ["uri"] = "prynai://counter" }, id: 2), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, subscribe.StatusCode);
            Assert.NotNull((await McpHttp.ResponseAsync(subscribe))["result"]);
        }
        await Task.Delay(500, Ct);

        using (var bump = await b.SendAsync(McpHttp.SessionRequest(sessionId, "tools/call", new JsonObject { ["name"] = "bump_counter", ["arguments"] = new JsonObject() }, id: 3), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, bump.StatusCode);
        }
        var update = await stream.NextAsync("notifications/resources/updated");
        Assert.Equal("prynai://counter", update["params"]!["uri"]!.GetValue<string>());

        using var deleted = await b.SendAsync(McpSessions.Request(HttpMethod.Delete, sessionId), Ct);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        // The deletion reaches A through the store: A answers 404 once it has heard of it.
        await Eventually.TrueAsync(() =>
        {
            using var gone = a.Send(McpHttp.SessionRequest(sessionId, "tools/list", id: 4), Ct);
            return gone.StatusCode == HttpStatusCode.NotFound;
        }, TimeSpan.FromSeconds(10), "A should refuse the session B deleted");
    }
}

public sealed class CosmosMultiReplicaTests(CosmosReplicaPair replicas) : ChangeFeedReplicaTests(replicas), IClassFixture<CosmosReplicaPair>;

/// <summary>Two replicas on one SQLite file: counters are exact (the file's locks), though nothing crosses replicas live.</summary>
public sealed class SqliteMultiReplicaTests(SqliteReplicaPair replicas) : MultiReplicaTests(replicas), IClassFixture<SqliteReplicaPair>;

/// <summary>Two server processes on one store, and nginx in front of them; started once for a test class.</summary>
public abstract class ReplicaPair : IAsyncLifetime
{
    public ServerProcess A { get; private set; } = null!;

    public ServerProcess B { get; private set; } = null!;

    public NginxProxy Proxy { get; private set; } = null!;

    /// <summary>Starts the store (if it is a server) and returns the settings that point a server at it.</summary>
    protected abstract Task<Dictionary<string, string?>> StartStoreAsync();

    /// <summary>Settings both replicas get besides the store's.</summary>
    protected virtual IReadOnlyDictionary<string, string?> ServerSettings { get; } = new Dictionary<string, string?>();

    protected abstract ValueTask StopStoreAsync();

    public async ValueTask InitializeAsync()
    {
        var store = await StartStoreAsync();
        Dictionary<string, string?> Environment(string name)
        {
            var settings = new Dictionary<string, string?>(store)
            {
                ["Prynai__Deployment"] = name,
                // Every request reaches the replicas from nginx's address; the per-caller limit has its own tests.
                ["Security__RateLimit__Enabled"] = "false",
            };
            foreach (var (key, value) in ServerSettings)
            {
                settings[key] = value;
            }
            return settings;
        }
        var starting = new[] { ServerProcess.StartAsync(Environment("replica-a")), ServerProcess.StartAsync(Environment("replica-b")) };
        try
        {
            await Task.WhenAll(starting);
        }
        catch
        {
            // One replica failed to start: stop the other, which xUnit would not dispose.
            foreach (var started in starting.Where(task => task.IsCompletedSuccessfully))
            {
                await started.Result.DisposeAsync();
            }
            throw;
        }
        (A, B) = (starting[0].Result, starting[1].Result);
        Proxy = await NginxProxy.StartAsync(A.Port, B.Port);
    }

    public async ValueTask DisposeAsync()
    {
        if (Proxy is not null)
        {
            await Proxy.DisposeAsync();
        }
        if (A is not null)
        {
            await A.DisposeAsync();
            await B.DisposeAsync();
        }
        await StopStoreAsync();
        GC.SuppressFinalize(this);
    }
}

public sealed class RedisReplicaPair : ReplicaPair
{
    private RedisServer? _redis;

    /// <summary>A long_task that runs long enough to be cancelled midway (no other test of the class runs it).</summary>
    protected override IReadOnlyDictionary<string, string?> ServerSettings { get; } = new Dictionary<string, string?> { ["Tools__StepDelay"] = "00:00:00.200" };

    protected override async Task<Dictionary<string, string?>> StartStoreAsync()
    {
        _redis = await RedisServer.StartAsync();
        return new() { ["REDIS_URL"] = _redis.Url };
    }

    protected override ValueTask StopStoreAsync() => _redis?.DisposeAsync() ?? ValueTask.CompletedTask;
}

public sealed class CosmosReplicaPair : ReplicaPair
{
    private CosmosServer? _cosmos;

    protected override async Task<Dictionary<string, string?>> StartStoreAsync()
    {
        _cosmos = await CosmosServer.StartAsync();
        return _cosmos.Settings(separator: "__");
    }

    protected override ValueTask StopStoreAsync() => _cosmos?.DisposeAsync() ?? ValueTask.CompletedTask;
}

public sealed class SqliteReplicaPair : ReplicaPair
{
    private readonly TempDirectory _shared = new("shared-sqlite");

    protected override Task<Dictionary<string, string?>> StartStoreAsync() =>
        Task.FromResult(new Dictionary<string, string?> { ["State__SqlitePath"] = _shared.File("prynai.db") });

    protected override ValueTask StopStoreAsync()
    {
        _shared.Dispose();
        return ValueTask.CompletedTask;
    }
}

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
/// stateless requests, sessions that move between replicas, notifications that cross replicas, exact counters.
/// </summary>
public sealed class MultiReplicaTests(RedisFixture redis, CosmosFixture cosmos) : IClassFixture<RedisFixture>, IClassFixture<CosmosFixture>
{
    [Fact]
    public async Task StatelessRequests_AreSpreadOverBothReplicas_AndAnsweredAlike()
    {
        await using var replicas = await Replicas.StartAsync(RedisSettings());
        await using var client = await ConnectAsync(replicas.Proxy.McpEndpoint);

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
        await using var replicas = await Replicas.StartAsync(RedisSettings());
        await using var client = await ConnectAsync(replicas.Proxy.McpEndpoint, "2025-11-25");
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
        await using var replicas = await Replicas.StartAsync(new(RedisSettings()) { ["Tools__StepDelay"] = "00:00:00.200" });
        var a = new HttpClient { BaseAddress = replicas.A.BaseAddress };
        var b = new HttpClient { BaseAddress = replicas.B.BaseAddress };
        var sessionId = await Transport.SessionTests.InitializeAsync(a);
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
        await using var replicas = await Replicas.StartAsync(RedisSettings());
        var a = new HttpClient { BaseAddress = replicas.A.BaseAddress };
        var b = new HttpClient { BaseAddress = replicas.B.BaseAddress };

        var sessionId = await Transport.SessionTests.InitializeAsync(a);
        await using var stream = await SseStream.OpenAsync(a, Transport.SessionTests.SessionMessage(HttpMethod.Get, sessionId));

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

        using var deleted = await b.SendAsync(Transport.SessionTests.SessionMessage(HttpMethod.Delete, sessionId), Ct);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        await Task.Delay(300, Ct);
        using var gone = await a.SendAsync(McpHttp.SessionRequest(sessionId, "tools/list", id: 4), Ct);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Theory]
    [InlineData("redis")]
    [InlineData("cosmos")]
    public async Task GetStreamCutOnA_ResumesOnBWithLastEventId_WithoutMissingANotification(string store)
    {
        await using var replicas = await Replicas.StartAsync(store == "redis" ? RedisSettings() : cosmos.Server.Settings(separator: "__"));
        var a = new HttpClient { BaseAddress = replicas.A.BaseAddress };
        var b = new HttpClient { BaseAddress = replicas.B.BaseAddress };
        var sessionId = await Transport.SessionTests.InitializeAsync(a);
        await Transport.StreamResumptionTests.SubscribeAsync(b, sessionId);
        await Task.Delay(1500, Ct); // the subscription reaches A's copy through the change feed

        string primed;
        await using (var cut = await Transport.StreamResumptionTests.OpenAsync(a, sessionId))
        {
            primed = await cut.EventIdAsync();
        }
        await Task.Delay(300, Ct);
        // While the client is away, changes made through B: A, which held the stream, records them in the store.
        await Transport.StreamResumptionTests.BumpAsync(b, sessionId);
        await Transport.StreamResumptionTests.BumpAsync(b, sessionId);
        await Task.Delay(1500, Ct);

        await using var resumed = await Transport.StreamResumptionTests.OpenAsync(b, sessionId, lastEventId: primed);
        await resumed.NextAsync("notifications/resources/updated");
        await resumed.NextAsync("notifications/resources/updated");

        // Live again, now from B: a change made through A reaches the stream on B.
        await Task.Delay(1500, Ct);
        await Transport.StreamResumptionTests.BumpAsync(a, sessionId);
        Assert.Equal("prynai://counter", (await resumed.NextAsync("notifications/resources/updated"))["params"]!["uri"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("redis")]
    [InlineData("cosmos")]
    public async Task ListenerOnA_HearsACounterChangeMadeThroughB(string store)
    {
        await using var replicas = await Replicas.StartAsync(store == "redis" ? RedisSettings() : cosmos.Server.Settings(separator: "__"));
        var a = new HttpClient { BaseAddress = replicas.A.BaseAddress };
        var b = new HttpClient { BaseAddress = replicas.B.BaseAddress };

        await using var listen = await SseStream.OpenAsync(a, McpHttp.StatelessRequest("subscriptions/listen",
            new JsonObject { ["notifications"] = new JsonObject { ["resourceSubscriptions"] = new JsonArray("prynai://counter") } }, id: 77));
        Assert.Equal("notifications/subscriptions/acknowledged", (await listen.NextAsync())["method"]!.GetValue<string>());

        using var bump = await b.SendAsync(McpHttp.StatelessRequest("tools/call",
            new JsonObject { ["name"] = "bump_counter", ["arguments"] = new JsonObject() }, name: "bump_counter"), Ct);
        Assert.Equal(HttpStatusCode.OK, bump.StatusCode);

        var update = await listen.NextAsync("notifications/resources/updated");
        Assert.Equal(77, update["params"]!["_meta"]!["io.modelcontextprotocol/subscriptionId"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("redis", 1000)]
    [InlineData("cosmos", 1000)]
    [InlineData("sqlite", 1000)]
    public async Task ConcurrentBumpsAcrossTwoReplicas_SumExactly(string store, int bumps)
    {
        using var shared = new TempDirectory("shared-sqlite");
        var settings = store switch
        {
            "redis" => RedisSettings(),
            "cosmos" => cosmos.Server.Settings(separator: "__"),
            _ => new Dictionary<string, string?> { ["State__SqlitePath"] = shared.File("prynai.db") },
        };
        await using var replicas = await Replicas.StartAsync(settings);
        using var http = new HttpClient { BaseAddress = replicas.Proxy.McpEndpoint };
        await CallAsync(http, "set_counter", new JsonObject { ["value"] = 0 });

        using var gate = new SemaphoreSlim(32);
        var acknowledged = await Task.WhenAll(Enumerable.Range(0, bumps).Select(async _ =>
        {
            await gate.WaitAsync(Ct);
            try
            {
                return await CallAsync(http, "bump_counter", new JsonObject { ["step"] = 1 });
            }
            finally
            {
                gate.Release();
            }
        }));

        Assert.All(acknowledged, result => Assert.NotEqual(true, result["isError"]?.GetValue<bool>()));
        Assert.Equal(Enumerable.Range(1, bumps).Select(i => (long)i), acknowledged.Select(r => r["structuredContent"]!["value"]!.GetValue<long>()).Order());
        await using var client = await ConnectAsync(replicas.Proxy.McpEndpoint);
        Assert.Equal(bumps.ToString(), ((TextResourceContents)(await client.ReadResourceAsync("prynai://counter", cancellationToken: Ct)).Contents[0]).Text);
    }

    private Dictionary<string, string?> RedisSettings() => new() { ["REDIS_URL"] = redis.Server.Url };

    internal static async Task<JsonObject> CallAsync(HttpClient http, string tool, JsonObject arguments)
    {
        using var response = await http.SendAsync(McpHttp.StatelessRequest("tools/call", new JsonObject { ["name"] = tool, ["arguments"] = arguments }, name: tool), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await McpHttp.ResponseAsync(response))["result"]!.AsObject();
    }

    private static Task<McpClient> ConnectAsync(Uri endpoint, string? protocol = null) =>
        McpConnection.ConnectAsync(new ConnectionSettings(endpoint, protocol, null, Sampling: true), null, Ct);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Two server processes on one store, and nginx in front of them.</summary>
    private sealed class Replicas : IAsyncDisposable
    {
        public required ServerProcess A { get; init; }

        public required ServerProcess B { get; init; }

        public required NginxProxy Proxy { get; init; }

        public static async Task<Replicas> StartAsync(Dictionary<string, string?> store)
        {
            Dictionary<string, string?> Environment(string name) => new(store)
            {
                ["Prynai__Deployment"] = name,
                // Every request reaches the replicas from nginx's address; the per-caller limit has its own tests.
                ["Security__RateLimit__Enabled"] = "false",
            };
            var starting = new[] { ServerProcess.StartAsync(Environment("replica-a")), ServerProcess.StartAsync(Environment("replica-b")) };
            var (a, b) = (await starting[0], await starting[1]);
            return new Replicas { A = a, B = b, Proxy = await NginxProxy.StartAsync(a.Port, b.Port) };
        }

        public async ValueTask DisposeAsync()
        {
            await Proxy.DisposeAsync();
            await A.DisposeAsync();
            await B.DisposeAsync();
        }
    }
}

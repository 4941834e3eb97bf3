using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.State;

/// <summary>The server with a real Redis store as a process: degraded service while the store is down,
/// recovery without a restart, nothing acknowledged ever lost, state that outlives the server.</summary>
public sealed class StoreOutageTests
{
    [Fact]
    public async Task RedisDownAtStart_ServerServesDegraded_ThenRecoversWithoutARestart()
    {
        await using var redis = await RedisServer.StartAsync(start: false);
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string?> { ["REDIS_URL"] = redis.Url });
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        var (status, health) = await StatelessCalls.HealthAsync(http);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("degraded", health["status"]!.GetValue<string>());
        Assert.False(health["redis"]!.GetValue<bool>());
        Assert.Equal("redis", health["store"]!.GetValue<string>());

        var bump = await StatelessCalls.CallToolAsync(http, "bump_counter", new JsonObject());
        Assert.True(bump["isError"]!.GetValue<bool>());
        Assert.Equal("Tool 'bump_counter' could not run: The redis state store is unavailable; try again shortly.", bump["content"]![0]!["text"]!.GetValue<string>());
        Assert.Equal(3, (await StatelessCalls.CallToolAsync(http, "add", new JsonObject { ["a"] = 1, ["b"] = 2 }))["structuredContent"]!["result"]!.GetValue<double>());
        Assert.Equal("The redis state store is unavailable; try again shortly.", await StatelessCalls.CounterReadErrorAsync(http));

        await redis.RestartAsync();
        await Eventually.TrueAsync(() => StatelessCalls.HealthAsync(http).GetAwaiter().GetResult().Status == HttpStatusCode.OK, TimeSpan.FromSeconds(30),
            "health should recover once Redis is back");
        Assert.Equal(1, (await StatelessCalls.CallToolAsync(http, "bump_counter", new JsonObject()))["structuredContent"]!["value"]!.GetValue<long>());
    }

    [Fact]
    public async Task RedisOutage_LogsOneWarningWhenItStarts_AndOneLineWithItsDurationWhenItEnds()
    {
        await using var redis = await RedisServer.StartAsync();
        var logs = new CapturedLogs();
        using var server = new PrynaiServerFactory(new Dictionary<string, string?> { ["ConnectionStrings:cache"] = redis.ConnectionString },
            configureServices: services => services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs));
        var http = server.CreateClient();
        Assert.False((await StatelessCalls.CallToolAsync(http, "bump_counter", new JsonObject()))["isError"]?.GetValue<bool>() ?? false);

        await redis.KillAsync();
        // Calls fail while the client retries its connection (every 0.25-5 s); each attempt used to log an error.
        for (var i = 0; i < 6; i++)
        {
            Assert.True((await StatelessCalls.CallToolAsync(http, "bump_counter", new JsonObject()))["isError"]!.GetValue<bool>());
            await Task.Delay(1000, Ct);
        }
        await redis.RestartAsync();
        await Eventually.TrueAsync(() => logs.Entries.Any(entry => entry.Message.Contains("answers again after an outage", StringComparison.Ordinal)), TimeSpan.FromSeconds(30),
            "the end of the outage should be logged");

        var loud = logs.Entries.Where(entry => entry.Level >= Microsoft.Extensions.Logging.LogLevel.Warning).ToList();
        var warning = Assert.Single(loud);
        Assert.Equal("Prynai.McpServer.State.StoreAvailability", warning.Category);
        Assert.StartsWith("The redis state store is unavailable (", warning.Message);
        var recovered = Assert.Single(logs.Entries, entry => entry.Message.Contains("answers again after an outage", StringComparison.Ordinal));
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Information, recovered.Level);
        Assert.Matches(@"after an outage of \d+\.\d s$", recovered.Message);
    }

    [Fact]
    public async Task RedisKilledMidLoad_EveryAcknowledgedIncrementSurvives_AndHealthGoes503Then200()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings__cache"] = redis.ConnectionString,
            ["Security__RateLimit__Enabled"] = "false",
        });
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        await StatelessCalls.CallToolAsync(http, "set_counter", new JsonObject { ["value"] = 0 });

        var healthSeen = new ConcurrentQueue<HttpStatusCode>();
        using var stop = new CancellationTokenSource();
        var healthWatch = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                healthSeen.Enqueue((await StatelessCalls.HealthAsync(http)).Status);
                await Task.Delay(100, Ct);
            }
        }, Ct);

        var acknowledged = 0;
        var refused = 0;
        var load = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
                {
                    var result = await StatelessCalls.CallToolAsync(http, "bump_counter", new JsonObject { ["step"] = 1 });
                    Interlocked.Increment(ref result["isError"]?.GetValue<bool>() == true ? ref refused : ref acknowledged);
                }));
            }
        }, Ct);

        await Eventually.TrueAsync(() => Volatile.Read(ref acknowledged) > 200, TimeSpan.FromSeconds(30));
        await redis.KillAsync();
        await Eventually.TrueAsync(() => Volatile.Read(ref refused) > 20, TimeSpan.FromSeconds(30), "bumps should be refused while Redis is down");
        await Task.Delay(500, Ct);
        await redis.RestartAsync();
        var acknowledgedAtRestart = Volatile.Read(ref acknowledged);
        await Eventually.TrueAsync(() => Volatile.Read(ref acknowledged) > acknowledgedAtRestart + 200, TimeSpan.FromSeconds(30),
            "bumps should succeed again after Redis restarts");
        // A health call that was waiting on the dead connection when Redis came back still answers 503, so health is
        // watched until it says 200 again rather than only as long as the bumps took to recover.
        await Eventually.TrueAsync(() => healthSeen.SkipWhile(status => status != HttpStatusCode.ServiceUnavailable).Contains(HttpStatusCode.OK),
            TimeSpan.FromSeconds(30), "health should answer 200 again after Redis restarts");
        await stop.CancelAsync();
        await load;
        await healthWatch;

        var final = long.Parse((await StatelessCalls.ReadCounterAsync(http))!);
        Assert.True(final >= acknowledged, $"{acknowledged} increments were acknowledged but the counter is {final}");
        Assert.True(final <= acknowledged + refused, $"the counter ({final}) counts more bumps than were attempted ({acknowledged + refused})");
        var statuses = healthSeen.ToList();
        var firstDown = statuses.IndexOf(HttpStatusCode.ServiceUnavailable);
        Assert.True(firstDown > 0 && statuses[0] == HttpStatusCode.OK, "health should start at 200 and go 503 during the outage");
        Assert.Contains(HttpStatusCode.OK, statuses.Skip(firstDown));
    }

    [Fact]
    public async Task RedisCounter_SurvivesRestartsOfBothServerAndRedis()
    {
        await using var redis = await RedisServer.StartAsync();
        var environment = new Dictionary<string, string?> { ["REDIS_URL"] = redis.Url };
        await using (var first = await ServerProcess.StartAsync(environment))
        {
            using var http = new HttpClient { BaseAddress = first.BaseAddress };
            await StatelessCalls.CallToolAsync(http, "set_counter", new JsonObject { ["value"] = 41 });
            await StatelessCalls.CallToolAsync(http, "bump_counter", new JsonObject());
        }
        await redis.KillAsync();
        await redis.RestartAsync();

        await using var second = await ServerProcess.StartAsync(environment);
        using var again = new HttpClient { BaseAddress = second.BaseAddress };
        Assert.Equal("42", await StatelessCalls.ReadCounterAsync(again));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}

/// <summary>The same with Cosmos DB (the Cosmos-protocol test server) as the store; a class of its own, so it runs beside the Redis one.</summary>
public sealed class CosmosOutageTests
{
    [Fact]
    public async Task CosmosCounter_SurvivesAServerRestart_AndHealthNamesTheStore()
    {
        await using var cosmos = await CosmosServer.StartAsync();
        var environment = cosmos.Settings(separator: "__");
        await using (var first = await ServerProcess.StartAsync(environment))
        {
            using var http = new HttpClient { BaseAddress = first.BaseAddress };
            var (status, health) = await StatelessCalls.HealthAsync(http);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.True(health["cosmos"]!.GetValue<bool>());
            Assert.Equal("cosmos", health["store"]!.GetValue<string>());
            await StatelessCalls.CallToolAsync(http, "set_counter", new JsonObject { ["value"] = 6 });
            await StatelessCalls.CallToolAsync(http, "bump_counter", new JsonObject { ["step"] = 1 });
        }

        await using var second = await ServerProcess.StartAsync(environment);
        using var again = new HttpClient { BaseAddress = second.BaseAddress };
        Assert.Equal("7", await StatelessCalls.ReadCounterAsync(again));
    }

    [Fact]
    public async Task CosmosContainerMissing_AndCreationNotAllowed_StopsStartupWithTheReason()
    {
        await using var cosmos = await CosmosServer.StartAsync();
        var environment = cosmos.Settings(database: "absent", separator: "__");
        environment["State__Cosmos__CreateIfMissing"] = "false";

        await using var server = await ServerProcess.StartAsync(environment, waitHealthy: false);
        Assert.NotEqual(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Cosmos DB database 'absent' or container 'state' does not exist", server.Output);
    }

    [Fact]
    public async Task CosmosUnreachable_ServerStillStarts_AndHealthIs503()
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings__cosmos"] = $"AccountEndpoint=http://127.0.0.1:{FreePort.Next()}/;AccountKey={CosmosServer.EmulatorKey};",
            ["State__Cosmos__ConnectionMode"] = "Gateway",
            ["State__Cosmos__LimitToEndpoint"] = "true",
            ["COSMOS_DISABLE_IMDS_ACCESS"] = "true",
        };
        await using var server = await ServerProcess.StartAsync(settings);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        var (status, health) = await StatelessCalls.HealthAsync(http);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.False(health["cosmos"]!.GetValue<bool>());
        Assert.Equal("The cosmos state store is unavailable; try again shortly.", await StatelessCalls.CounterReadErrorAsync(http));
    }
}

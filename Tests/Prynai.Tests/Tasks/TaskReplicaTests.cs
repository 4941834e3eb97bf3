using System.Diagnostics;
using System.Text.Json.Nodes;
using Prynai.Tests.Infrastructure;
using Prynai.Tests.State;
using static Prynai.Tests.Tasks.TaskHttp;

namespace Prynai.Tests.Tasks;

/// <summary>
/// Tasks shared by two replicas on one store (Redis, Cosmos DB), each addressed directly, and nginx in front of both:
/// created on A and served by B, cancelled through B while A runs the work, resumed on B after A died, and ended as
/// failed when the replica running them dies. The timings go to the test output.
/// </summary>
public sealed class TaskReplicaTests(RedisFixture redis, CosmosFixture cosmos, ITestOutputHelper output)
    : IClassFixture<RedisFixture>, IClassFixture<CosmosFixture>
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ReaperInterval = TimeSpan.FromMilliseconds(250);

    [Theory]
    [InlineData("redis")]
    [InlineData("cosmos")]
    public async Task CreatedOnA_IsPollableOnBAtOnce_AndCancellingThroughB_StopsTheWorkOnA(string store)
    {
        await using var replicas = await Replicas.StartAsync(Settings(store));
        var (a, b, balanced) = (replicas.Client(replicas.A), replicas.Client(replicas.B), replicas.Client(null));
        await WarmUpAsync(a, b);

        // Visible on B as soon as A answers (the spec's durable creation, across replicas); cancelled through B, while
        // A runs the work, which A records as stopped. Three rounds, for timings that are not one sample.
        var (visible, acknowledged, stopped) = (new List<double>(), new List<double>(), new List<double>());
        for (var round = 0; round < 3; round++)
        {
            var created = await StartAsync(a, "long_task", new JsonObject { ["steps"] = 100 });
            var id = created["taskId"]!.GetValue<string>();
            var clock = Stopwatch.StartNew();
            Assert.Equal(id, (await GetAsync(b, id))["taskId"]!.GetValue<string>());
            visible.Add(clock.Elapsed.TotalMilliseconds);

            await WaitAsync(b, id, task => task["statusMessage"]?.GetValue<string>()?.StartsWith("step") == true);
            clock.Restart();
            await ResultAsync(b, Method("tasks/cancel", id));
            acknowledged.Add(clock.Elapsed.TotalMilliseconds);
            var ended = await WaitAsync(b, id, task => task["statusMessage"]!.GetValue<string>().Contains("the work has stopped"), TimeSpan.FromSeconds(10));
            stopped.Add(clock.Elapsed.TotalMilliseconds);
            Assert.Equal("cancelled", Status(ended));
            var lastUpdate = (await GetAsync(a, id))["lastUpdatedAt"]!.GetValue<string>();
            await Task.Delay(300, Ct);
            Assert.Equal(lastUpdate, (await GetAsync(a, id))["lastUpdatedAt"]!.GetValue<string>()); // no step after the stop
        }

        // Polled through the balancer (either replica answers each poll) until it finishes, while a listener on B
        // hears its status change on A.
        var quick = (await StartAsync(a, "long_task", new JsonObject { ["steps"] = 20 }))["taskId"]!.GetValue<string>();
        await using var listen = await SseStream.OpenAsync(b, McpHttp.StatelessRequest("subscriptions/listen", new JsonObject
        {
            ["notifications"] = new JsonObject { ["taskIds"] = new JsonArray(quick) },
            ["_meta"] = McpHttp.Meta(capabilities: Capabilities()),
        }, id: 7));
        Assert.Equal([quick], (await listen.NextAsync())["params"]!["notifications"]!["taskIds"]!.AsArray().Select(t => t!.GetValue<string>()));
        var finished = await WaitAsync(balanced, quick, Ended);
        Assert.Equal("done", finished["result"]!["structuredContent"]!["status"]!.GetValue<string>());
        JsonObject heard;
        do
        {
            heard = (await listen.NextAsync("notifications/tasks"))["params"]!.AsObject();
        }
        while (Status(heard) == "working");
        Assert.Equal("completed", Status(heard));

        output.WriteLine($"[{store}] tasks/get on B right after A's CreateTaskResult found the task every time (round trip, ms: {string.Join(", ", visible.Select(v => v.ToString("0")))}); " +
                         $"cancel through B acknowledged in {string.Join(", ", acknowledged.Select(v => v.ToString("0")))} ms; " +
                         $"work on A stopped and recorded {string.Join(", ", stopped.Select(v => v.ToString("0")))} ms after the cancel was sent");
    }

    [Theory]
    [InlineData("redis")]
    [InlineData("cosmos")]
    public async Task WhenTheReplicaRunningATaskDies_TheTaskFails_AndAWaitingTaskResumesOnTheOther(string store)
    {
        await using var replicas = await Replicas.StartAsync(Settings(store));
        var (a, b) = (replicas.Client(replicas.A), replicas.Client(replicas.B));
        var running = (await StartAsync(a, "long_task", new JsonObject { ["steps"] = 100 }))["taskId"]!.GetValue<string>();
        var waiting = (await StartAsync(a, "trouble_shoot_device", new JsonObject { ["subscription_id"] = "C0001-S1", ["restart_device"] = true }))["taskId"]!.GetValue<string>();
        var question = await WaitForStatusAsync(b, waiting, "input_required");
        await WaitAsync(b, running, task => task["statusMessage"]?.GetValue<string>()?.StartsWith("step") == true);

        var clock = Stopwatch.StartNew();
        await replicas.KillAAsync(); // no graceful shutdown, no last word
        var failed = await WaitAsync(b, running, Ended, TimeSpan.FromSeconds(30));
        var detected = clock.Elapsed;

        Assert.Equal("failed", Status(failed));
        Assert.Contains("stopped responding", failed["error"]!["message"]!.GetValue<string>());
        Assert.True(detected < Lease + ReaperInterval + TimeSpan.FromSeconds(3), $"detected after {detected}");

        var key = question["inputRequests"]!.AsObject().Single().Key;
        await ResultAsync(b, Method("tasks/update", waiting, new JsonObject
        {
            ["inputResponses"] = new JsonObject { [key] = new JsonObject { ["action"] = "decline" } },
        }));
        var resumed = await WaitAsync(b, waiting, Ended);
        Assert.Equal("completed", Status(resumed));
        Assert.Equal("restart declined by the user", resumed["result"]!["structuredContent"]!["restart"]!.GetValue<string>());

        output.WriteLine($"[{store}] replica killed mid-task: task failed on B after {detected.TotalMilliseconds:0} ms " +
                         $"(bound: lease {Lease.TotalMilliseconds:0} ms + reaper pass {ReaperInterval.TotalMilliseconds:0} ms); the task waiting for input resumed on B");
    }

    [Fact]
    public async Task AfterARestart_TheSqliteStoreKeepsFinishedTasks_AndFailsTheOnesThatWereRunning()
    {
        using var state = new TempDirectory("tasks-restart");
        var settings = Settings("sqlite");
        var server = await ServerProcess.StartAsync(settings, state.Path);
        var http = new HttpClient { BaseAddress = server.BaseAddress };
        var finished = (await StartAsync(http, "long_task", new JsonObject { ["steps"] = 2 }))["taskId"]!.GetValue<string>();
        await WaitForStatusAsync(http, finished, "completed");
        var running = (await StartAsync(http, "long_task", new JsonObject { ["steps"] = 100 }))["taskId"]!.GetValue<string>();
        await WaitAsync(http, running, task => task["statusMessage"]?.GetValue<string>()?.StartsWith("step") == true);

        await server.DisposeAsync();
        await using var restarted = await ServerProcess.StartAsync(settings, state.Path, port: server.Port);

        Assert.Equal("done", (await GetAsync(http, finished))["result"]!["structuredContent"]!["status"]!.GetValue<string>());
        var failed = await WaitAsync(http, running, Ended, TimeSpan.FromSeconds(15));
        Assert.Equal("failed", Status(failed));
        Assert.Contains("stopped responding", failed["statusMessage"]!.GetValue<string>());
    }

    /// <summary>First calls pay for JIT and connections; the timings are of the steady state.</summary>
    private static async Task WarmUpAsync(params HttpClient[] replicas)
    {
        foreach (var replica in replicas)
        {
            var id = (await StartAsync(replica, "long_task", new JsonObject { ["steps"] = 50 }))["taskId"]!.GetValue<string>();
            await GetAsync(replica, id);
            await ResultAsync(replica, Method("tasks/cancel", id));
        }
    }

    private Dictionary<string, string?> Settings(string store)
    {
        var settings = store switch
        {
            "redis" => new Dictionary<string, string?> { ["REDIS_URL"] = redis.Server.Url },
            "cosmos" => cosmos.Server.Settings(separator: "__"),
            _ => [],
        };
        settings["Tools__StepDelay"] = "00:00:00.100";
        settings["Tasks__HeartbeatInterval"] = "00:00:00.250";
        settings["Tasks__LeaseDuration"] = $"{Lease:c}";
        settings["Tasks__ReaperInterval"] = $"{ReaperInterval:c}";
        settings["Security__RateLimit__Enabled"] = "false";
        return settings;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Two server processes on one store, and nginx (round-robin) in front of them.</summary>
    private sealed class Replicas : IAsyncDisposable
    {
        private readonly List<HttpClient> _clients = [];
        private bool _aKilled;

        public required ServerProcess A { get; init; }

        public required ServerProcess B { get; init; }

        public required NginxProxy Proxy { get; init; }

        public static async Task<Replicas> StartAsync(Dictionary<string, string?> store)
        {
            var starting = new[]
            {
                ServerProcess.StartAsync(new Dictionary<string, string?>(store) { ["Prynai__Deployment"] = "replica-a" }),
                ServerProcess.StartAsync(new Dictionary<string, string?>(store) { ["Prynai__Deployment"] = "replica-b" }),
            };
            var (a, b) = (await starting[0], await starting[1]);
            return new Replicas { A = a, B = b, Proxy = await NginxProxy.StartAsync(a.Port, b.Port) };
        }

        /// <summary>A client of one replica, or of the balancer when <paramref name="replica"/> is null.</summary>
        public HttpClient Client(ServerProcess? replica)
        {
            var client = new HttpClient { BaseAddress = replica?.BaseAddress ?? new Uri(Proxy.McpEndpoint, "/") };
            _clients.Add(client);
            return client;
        }

        public async Task KillAAsync()
        {
            _aKilled = true;
            await A.DisposeAsync();
        }

        public async ValueTask DisposeAsync()
        {
            _clients.ForEach(c => c.Dispose());
            await Proxy.DisposeAsync();
            if (!_aKilled)
            {
                await A.DisposeAsync();
            }
            await B.DisposeAsync();
        }
    }
}

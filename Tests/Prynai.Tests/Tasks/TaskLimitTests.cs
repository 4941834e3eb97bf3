using System.Text.Json.Nodes;
using Prynai.Tests.Infrastructure;
using Prynai.Tests.Security;
using static Prynai.Tests.Tasks.TaskHttp;

namespace Prynai.Tests.Tasks;

/// <summary>What a task may not do: belong to someone else, outnumber the limits, outgrow its result size, outlive its TTL.</summary>
public sealed class TaskLimitTests(IssuerFixture issuer) : IClassFixture<IssuerFixture>
{
    [Fact]
    public async Task ATask_BelongsToItsCaller_AnotherIdentityCannotSeeUpdateOrCancelIt()
    {
        using var server = issuer.Server(new Dictionary<string, string?> { ["Tools:StepDelay"] = "00:00:00.050" });
        var http = server.CreateClient();
        var (alice, mallory) = (issuer.Issuer.Mint(subject: "alice-oid"), issuer.Issuer.Mint(subject: "mallory-oid"));
        var id = (await StartAsync(http, "long_task", new JsonObject { ["steps"] = 40 }, alice))["taskId"]!.GetValue<string>();

        var seen = await SendAsync(http, Method("tasks/get", id, token: mallory));
        var updated = await SendAsync(http, Method("tasks/update", id, new JsonObject { ["inputResponses"] = new JsonObject() }, token: mallory));
        var cancelled = await SendAsync(http, Method("tasks/cancel", id, token: mallory));

        Assert.All([seen, updated, cancelled], refused =>
        {
            Assert.Equal(-32602, McpHttp.ErrorCode(refused));
            Assert.Contains("Task not found", refused["error"]!["message"]!.GetValue<string>());
        });
        Assert.Equal("working", Status(await GetAsync(http, id, alice)));
        await ResultAsync(http, Method("tasks/cancel", id, token: alice));
        Assert.Equal("cancelled", Status(await GetAsync(http, id, alice)));
    }

    [Fact]
    public async Task ACallerBeyondItsLiveTaskLimit_GetsAToolErrorSayingWhatToDo()
    {
        using var server = new PrynaiServerFactory(new Dictionary<string, string?>
        {
            ["Tools:StepDelay"] = "00:00:00.050",
            ["Tasks:MaxLiveTasksPerCaller"] = "2",
        });
        var http = server.CreateClient();
        var first = (await StartAsync(http, "long_task", new JsonObject { ["steps"] = 100 }))["taskId"]!.GetValue<string>();
        await StartAsync(http, "long_task", new JsonObject { ["steps"] = 100 });

        var refused = await ResultAsync(http, Call("long_task", new JsonObject { ["steps"] = 1 }));

        Assert.True(refused["isError"]!.GetValue<bool>());
        Assert.Null(refused["taskId"]);
        var message = refused["content"]![0]!["text"]!.GetValue<string>();
        Assert.Contains("Tasks:MaxLiveTasksPerCaller = 2", message);
        Assert.Contains("tasks/cancel", message);

        await ResultAsync(http, Method("tasks/cancel", first));
        await StartAsync(http, "long_task", new JsonObject { ["steps"] = 1 }); // a cancelled task frees its slot
    }

    [Fact]
    public async Task AResultLargerThanTheLimit_CompletesAsAToolErrorNamingTheLimit()
    {
        using var server = new PrynaiServerFactory(new Dictionary<string, string?>
        {
            ["Tasks:MaxResultBytes"] = "2048",
            ["Tasks:Tools:echo"] = "Optional",
        });
        var http = server.CreateClient();

        var small = await StartAsync(http, "echo", new JsonObject { ["text"] = "short" });
        var large = await StartAsync(http, "echo", new JsonObject { ["text"] = new string('x', 5000) });

        var kept = await WaitAsync(http, small["taskId"]!.GetValue<string>(), Ended);
        var refused = await WaitAsync(http, large["taskId"]!.GetValue<string>(), Ended);
        Assert.Equal("completed", Status(kept));
        Assert.NotEqual(true, kept["result"]!["isError"]?.GetValue<bool>());
        Assert.Equal("completed", Status(refused));
        Assert.True(refused["result"]!["isError"]!.GetValue<bool>());
        Assert.Contains("Tasks:MaxResultBytes", refused["result"]!["content"]![0]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task ATaskThatOutlivesItsTtl_FailsAndStops()
    {
        using var server = new PrynaiServerFactory(new Dictionary<string, string?>
        {
            ["Tools:StepDelay"] = "00:00:00.100",
            ["Tasks:Ttl"] = "00:00:01",
        });
        var http = server.CreateClient();
        var created = await StartAsync(http, "long_task", new JsonObject { ["steps"] = 100 });

        var failed = await WaitAsync(http, created["taskId"]!.GetValue<string>(), Ended, TimeSpan.FromSeconds(10));

        Assert.Equal("failed", Status(failed));
        Assert.Equal(-32603, failed["error"]!["code"]!.GetValue<int>());
        Assert.Contains("ran out of time", failed["error"]!["message"]!.GetValue<string>());
        Assert.Null(failed["result"]);
    }

    [Fact]
    public async Task InvalidSettings_StopTheServerAtStart_WithTheReason()
    {
        using var server = new PrynaiServerFactory(new Dictionary<string, string?>
        {
            ["Tasks:HeartbeatInterval"] = "00:00:05",
            ["Tasks:LeaseDuration"] = "00:00:06",
        });

        var error = Assert.ThrowsAny<Exception>(() => server.CreateClient());
        Assert.Contains("Tasks:LeaseDuration", error.ToString());
    }
}

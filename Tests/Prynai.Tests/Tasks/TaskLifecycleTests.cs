using System.Net;
using System.Text.Json.Nodes;
using Prynai.Tests.Infrastructure;
using static Prynai.Tests.Tasks.TaskHttp;

namespace Prynai.Tests.Tasks;

/// <summary>The tasks extension on one server (SQLite store): creation, polling, input, cancellation, gating.</summary>
public sealed class TaskLifecycleTests(TaskLifecycleTests.Fixture server) : IClassFixture<TaskLifecycleTests.Fixture>
{
    private HttpClient Http => server.Http;

    [Fact]
    public async Task LongTask_BecomesATask_WhoseStatusFollowsItsSteps_AndWhoseResultIsKept()
    {
        var created = await StartAsync(Http, "long_task", new JsonObject { ["steps"] = 20 });

        Assert.Equal("working", Status(created));
        Assert.True(created["ttlMs"]!.GetValue<long>() > 0);
        Assert.Equal(500, created["pollIntervalMs"]!.GetValue<int>());
        Assert.Null(created["result"]);
        var id = created["taskId"]!.GetValue<string>();
        Assert.True(id.Length >= 24, "task ids carry at least 144 random bits");

        var messages = new List<string>();
        var done = await WaitAsync(Http, id, Ended, messages: messages);

        Assert.Equal("completed", Status(done));
        Assert.Equal("done", done["result"]!["structuredContent"]!["status"]!.GetValue<string>());
        Assert.Contains(messages, m => System.Text.RegularExpressions.Regex.IsMatch(m, @"^step \d+/20$"));
        Assert.Equal("complete", done["resultType"]!.GetValue<string>());
        Assert.Equal(done.ToJsonString(), (await GetAsync(Http, id)).ToJsonString());
    }

    [Fact]
    public async Task WithoutTheExtension_TheSameToolAnswersAtOnce()
    {
        var result = await ResultAsync(Http, Call("long_task", new JsonObject { ["steps"] = 2 }, declare: false));

        Assert.Equal("complete", result["resultType"]!.GetValue<string>());
        Assert.Null(result["taskId"]);
        Assert.Equal("done", result["structuredContent"]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task InvalidArguments_AreAnsweredAtOnce_WithoutATask()
    {
        var result = await ResultAsync(Http, Call("long_task", new JsonObject { ["steps"] = 1000 }));

        Assert.Null(result["taskId"]);
        Assert.True(result["isError"]!.GetValue<bool>());
        Assert.Contains("'steps' must be at most 100", result["content"]![0]!["text"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("tasks/get")]
    [InlineData("tasks/update")]
    [InlineData("tasks/cancel")]
    public async Task TaskMethods_FromAClientWithoutTheExtension_Get32021(string method)
    {
        var created = await StartAsync(Http, "long_task", new JsonObject { ["steps"] = 2 });

        var refused = await SendAsync(Http, Method(method, created["taskId"]!.GetValue<string>(),
            method == "tasks/update" ? new JsonObject { ["inputResponses"] = new JsonObject() } : null, declare: false));

        Assert.Equal(-32021, McpHttp.ErrorCode(refused));
        Assert.NotNull(refused["error"]!["data"]!["requiredCapabilities"]!["extensions"]![Extension]);
    }

    [Fact]
    public async Task UnknownTask_IsInvalidParams()
    {
        var missing = await SendAsync(Http, Method("tasks/get", "no-such-task"));

        Assert.Equal(-32602, McpHttp.ErrorCode(missing));
        Assert.Contains("Task not found", missing["error"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task MismatchedMcpNameHeader_IsRefusedBeforeTheTaskIsRead()
    {
        var created = await StartAsync(Http, "long_task", new JsonObject { ["steps"] = 2 });
        using var request = Method("tasks/get", created["taskId"]!.GetValue<string>());
        request.Headers.Remove("Mcp-Name");
        request.Headers.Add("Mcp-Name", "another-task");

        using var response = await Http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(-32020, McpHttp.ErrorCode(await McpHttp.ResponseAsync(response)));
    }

    [Fact]
    public async Task ServerDiscover_AdvertisesTheExtension_InitializeDoesNot()
    {
        var discovered = await ResultAsync(Http, McpHttp.StatelessRequest("server/discover"));
        using var initialized = await Http.SendAsync(McpHttp.Initialize(), Ct);
        var session = (await McpHttp.ResponseAsync(initialized))["result"]!;

        Assert.NotNull(discovered["capabilities"]!["extensions"]![Extension]);
        Assert.Null(session["capabilities"]!["extensions"]);
        Assert.NotNull(session["capabilities"]!["tools"]);
    }

    [Fact]
    public async Task TaskMethods_DoNotExistOnTheSessionRevisions()
    {
        using var initialized = await Http.SendAsync(McpHttp.Initialize(), Ct);
        var sessionId = initialized.Headers.GetValues("Mcp-Session-Id").Single();
        (await Http.SendAsync(McpHttp.SessionRequest(sessionId, "notifications/initialized"), Ct)).Dispose();

        using var response = await Http.SendAsync(McpHttp.SessionRequest(sessionId, "tasks/get", new JsonObject { ["taskId"] = "x" }, id: 2), Ct);

        Assert.Equal(-32601, McpHttp.ErrorCode(await McpHttp.ResponseAsync(response)));
    }

    [Fact]
    public async Task Cancel_IsAcknowledged_StopsTheWork_AndTheTaskSaysSo()
    {
        var created = await StartAsync(Http, "long_task", new JsonObject { ["steps"] = 100 });
        var id = created["taskId"]!.GetValue<string>();
        await WaitAsync(Http, id, task => task["statusMessage"]?.GetValue<string>()?.StartsWith("step") == true);

        var ack = await ResultAsync(Http, Method("tasks/cancel", id));

        AssertEmptyAcknowledgement(ack);
        Assert.Equal("cancelled", Status(await GetAsync(Http, id)));
        var stopped = await WaitAsync(Http, id, task => task["statusMessage"]!.GetValue<string>().Contains("the work has stopped"));
        Assert.Equal("cancelled", Status(stopped));
        Assert.Null(stopped["result"]);
        AssertEmptyAcknowledgement(await ResultAsync(Http, Method("tasks/cancel", id))); // idempotent
    }

    [Fact]
    public async Task TroubleShootDevice_WithRestart_WaitsForTheConfirmation_ThenResumesAndFinishes()
    {
        var created = await StartAsync(Http, "trouble_shoot_device", new JsonObject { ["subscription_id"] = "C0001-S1", ["restart_device"] = true });
        var id = created["taskId"]!.GetValue<string>();

        var waiting = await WaitForStatusAsync(Http, id, "input_required");
        var (key, request) = waiting["inputRequests"]!.AsObject().Single();
        Assert.Equal("elicitation/create", request!["method"]!.GetValue<string>());
        Assert.Contains("Restart the device", request["params"]!["message"]!.GetValue<string>());

        var ack = await ResultAsync(Http, Method("tasks/update", id, new JsonObject
        {
            ["inputResponses"] = new JsonObject { [key] = new JsonObject { ["action"] = "accept", ["content"] = new JsonObject { ["confirm"] = true } } },
        }));
        AssertEmptyAcknowledgement(ack);

        var done = await WaitAsync(Http, id, Ended);
        Assert.Equal("completed", Status(done));
        var report = done["result"]!["structuredContent"]!;
        Assert.Equal(11, report["steps"]!.AsArray().Count);
        Assert.Equal("device restarted; it is back online", report["restart"]!.GetValue<string>());
        Assert.Null(done["inputRequests"]);
    }

    [Fact]
    public async Task Update_IgnoresUnknownKeys_AndKeepsTheTaskWaiting()
    {
        var created = await StartAsync(Http, "trouble_shoot_device", new JsonObject { ["subscription_id"] = "C0001-S1", ["restart_device"] = true });
        var id = created["taskId"]!.GetValue<string>();
        var waiting = await WaitForStatusAsync(Http, id, "input_required");

        var ack = await ResultAsync(Http, Method("tasks/update", id, new JsonObject { ["inputResponses"] = new JsonObject { ["never-issued"] = new JsonObject() } }));
        var still = await GetAsync(Http, id);

        AssertEmptyAcknowledgement(ack);
        Assert.Equal("input_required", Status(still));
        Assert.Equal(waiting["inputRequests"]!.ToJsonString(), still["inputRequests"]!.ToJsonString());
        var invalid = await SendAsync(Http, Method("tasks/update", id, new JsonObject { ["inputResponses"] = "yes" }));
        Assert.Equal(-32602, McpHttp.ErrorCode(invalid));
        await ResultAsync(Http, Method("tasks/cancel", id));
        Assert.Equal("cancelled", Status(await GetAsync(Http, id)));
    }

    [Fact]
    public async Task Listen_WithTaskIds_DeliversTheTasksStatusAsItChanges_UntilItsResult()
    {
        var id = (await StartAsync(Http, "long_task", new JsonObject { ["steps"] = 60 }))["taskId"]!.GetValue<string>();
        await using var listen = await SseStream.OpenAsync(Http, McpHttp.StatelessRequest("subscriptions/listen", new JsonObject
        {
            ["notifications"] = new JsonObject { ["taskIds"] = new JsonArray(id, "someone-elses-or-no-task") },
            ["_meta"] = McpHttp.Meta(capabilities: Capabilities()),
        }, id: 91));

        var ack = await listen.NextAsync();
        Assert.Equal("notifications/subscriptions/acknowledged", ack["method"]!.GetValue<string>());
        Assert.Equal([id], ack["params"]!["notifications"]!["taskIds"]!.AsArray().Select(t => t!.GetValue<string>()));
        var statuses = new List<JsonObject>();
        while (statuses.Count == 0 || Status(statuses[^1]) == "working")
        {
            var notification = await listen.NextAsync("notifications/tasks");
            Assert.Equal(91, notification["params"]!["_meta"]!["io.modelcontextprotocol/subscriptionId"]!.GetValue<int>());
            statuses.Add(notification["params"]!.AsObject());
        }

        Assert.All(statuses, s => Assert.Equal(id, s["taskId"]!.GetValue<string>()));
        Assert.Contains(statuses, s => s["statusMessage"]!.GetValue<string>().StartsWith("step", StringComparison.Ordinal));
        Assert.Equal("completed", Status(statuses[^1]));
        Assert.Equal("done", statuses[^1]["result"]!["structuredContent"]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Listen_ForTasks_WithoutTheExtension_Gets32021()
    {
        using var response = await Http.SendAsync(McpHttp.StatelessRequest("subscriptions/listen", new JsonObject
        {
            ["notifications"] = new JsonObject { ["taskIds"] = new JsonArray("any") },
        }), Ct);

        Assert.Equal(-32021, McpHttp.ErrorCode(await McpHttp.ResponseAsync(response)));
    }

    private static void AssertEmptyAcknowledgement(JsonObject ack)
    {
        Assert.Equal("complete", ack["resultType"]!.GetValue<string>());
        Assert.DoesNotContain(ack, property => property.Key is "taskId" or "status" or "result" or "error" or "inputRequests");
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>One in-process server with quick steps and quick supervision.</summary>
    public sealed class Fixture : IDisposable
    {
        public PrynaiServerFactory Server { get; } = new(new Dictionary<string, string?>
        {
            ["Tools:StepDelay"] = "00:00:00.020",
            ["Support:TroubleshootStepDelay"] = "00:00:00.010",
            ["Tasks:PollInterval"] = "00:00:00.500",
            ["Tasks:HeartbeatInterval"] = "00:00:00.200",
            ["Tasks:LeaseDuration"] = "00:00:01",
            ["Tasks:ReaperInterval"] = "00:00:00.200",
        });

        public HttpClient Http => field ??= Server.CreateClient();

        public void Dispose() => Server.Dispose();
    }
}

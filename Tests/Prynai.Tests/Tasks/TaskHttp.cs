using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Tasks;

/// <summary>Raw 2026-07-28 requests of a client that declares io.modelcontextprotocol/tasks, and polling until a task gets somewhere.</summary>
internal static class TaskHttp
{
    public const string Extension = "io.modelcontextprotocol/tasks";

    public static JsonObject Capabilities(bool declare = true, bool elicitation = true)
    {
        var capabilities = new JsonObject();
        if (declare)
        {
            capabilities["extensions"] = new JsonObject { [Extension] = new JsonObject() };
        }
        if (elicitation)
        {
            capabilities["elicitation"] = new JsonObject();
        }
        return capabilities;
    }

    public static HttpRequestMessage Call(string tool, JsonObject? arguments = null, bool declare = true, string? token = null) =>
        Authorized(McpHttp.StatelessRequest("tools/call", new JsonObject
        {
            ["name"] = tool,
            ["arguments"] = arguments ?? new JsonObject(),
            ["_meta"] = McpHttp.Meta(capabilities: Capabilities(declare)),
        }, name: tool), token);

    public static HttpRequestMessage Method(string method, string taskId, JsonObject? parameters = null, bool declare = true, string? token = null)
    {
        parameters ??= new JsonObject();
        parameters["taskId"] = taskId;
        parameters["_meta"] = McpHttp.Meta(capabilities: Capabilities(declare));
        return Authorized(McpHttp.StatelessRequest(method, parameters, name: taskId), token);
    }

    /// <summary>The JSON-RPC response (result or error) to one request.</summary>
    public static async Task<JsonObject> SendAsync(HttpClient http, HttpRequestMessage request)
    {
        using (request)
        using (var response = await http.SendAsync(request, TestContext.Current.CancellationToken))
        {
            return await McpHttp.ResponseAsync(response);
        }
    }

    public static async Task<JsonObject> ResultAsync(HttpClient http, HttpRequestMessage request)
    {
        var message = await SendAsync(http, request);
        return message["result"] as JsonObject ?? throw new Xunit.Sdk.XunitException($"Expected a result, got {message.ToJsonString()}");
    }

    /// <summary>Creates a task and returns its CreateTaskResult.</summary>
    public static async Task<JsonObject> StartAsync(HttpClient http, string tool, JsonObject? arguments = null, string? token = null)
    {
        var created = await ResultAsync(http, Call(tool, arguments, token: token));
        Assert.True(created["resultType"]?.GetValue<string>() == "task", $"expected a task, got {created.ToJsonString()}");
        return created;
    }

    public static Task<JsonObject> GetAsync(HttpClient http, string taskId, string? token = null) =>
        ResultAsync(http, Method("tasks/get", taskId, token: token));

    /// <summary>Polls tasks/get until <paramref name="until"/> holds, recording every status message seen on the way.</summary>
    public static async Task<JsonObject> WaitAsync(HttpClient http, string taskId, Func<JsonObject, bool> until, TimeSpan? timeout = null,
        List<string>? messages = null, string? token = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var task = await GetAsync(http, taskId, token);
            if (task["statusMessage"]?.GetValue<string>() is { } message && messages is not null && (messages.Count == 0 || messages[^1] != message))
            {
                messages.Add(message);
            }
            if (until(task))
            {
                return task;
            }
            if (clock.Elapsed > (timeout ?? TimeSpan.FromSeconds(20)))
            {
                Assert.Fail($"Task {taskId} did not get there in time; last seen: {task.ToJsonString()}");
            }
            await Task.Delay(25, TestContext.Current.CancellationToken);
        }
    }

    public static Task<JsonObject> WaitForStatusAsync(HttpClient http, string taskId, string status, TimeSpan? timeout = null, List<string>? messages = null, string? token = null) =>
        WaitAsync(http, taskId, task => Status(task) == status, timeout, messages, token);

    public static string Status(JsonObject task) => task["status"]!.GetValue<string>();

    public static bool Ended(JsonObject task) => Status(task) is "completed" or "failed" or "cancelled";

    private static HttpRequestMessage Authorized(HttpRequestMessage request, string? token)
    {
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return request;
    }
}

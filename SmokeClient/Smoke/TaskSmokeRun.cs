using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Prynai.SmokeClient.Connection;

namespace Prynai.SmokeClient.Smoke;

/// <summary>
/// <c>smoke --tasks</c>: the tasks extension (io.modelcontextprotocol/tasks) end to end — long_task as a task followed
/// to its result with its progress shown, a cancelled task whose work stops, and trouble_shoot_device's restart
/// question answered through tasks/update. Polls as the server suggests (pollIntervalMs, at most once a second).
/// </summary>
public sealed partial class TaskSmokeRun(ConnectionSettings settings, SmokeReport report, string subscriptionId)
{
    public const string Extension = "io.modelcontextprotocol/tasks";
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);
    private long _nextId = 1;
    private OutputSchemaCheck _schemas = null!;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        McpClient client;
        try
        {
            // Declaring elicitation lets the server ask through the task; the answers go back with tasks/update.
            var handlers = new McpClientHandlers { ElicitationHandler = (_, _) => ValueTask.FromResult(new ElicitResult { Action = "decline" }) };
            client = await McpConnection.ConnectAsync(settings with { ProtocolVersion = settings.ProtocolVersion ?? "2026-07-28" }, handlers, cancellationToken, Extension);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            report.Fail("connect", ex);
            return report.Finish();
        }

        await using (client)
        {
            report.Line("SERVER", $"{client.ServerInfo?.Name} {client.ServerInfo?.Version} (protocol {client.NegotiatedProtocolVersion})");
            if (!report.Check(client.ServerCapabilities?.Extensions?.ContainsKey(Extension) == true, "tasks extension",
                    $"server/discover should advertise capabilities.extensions[\"{Extension}\"]"))
            {
                return report.Finish();
            }
            _schemas = await OutputSchemaCheck.LoadAsync(client, cancellationToken);
            await StepAsync("task", () => CompletedTaskAsync(client, cancellationToken));
            await StepAsync("task cancel", () => CancelledTaskAsync(client, cancellationToken));
            await StepAsync("task input", () => InputTaskAsync(client, cancellationToken));
            _schemas.Report(report);
        }
        return report.Finish();
    }

    private async Task CompletedTaskAsync(McpClient client, CancellationToken cancellationToken)
    {
        var created = await CreateAsync(client, "long_task", new JsonObject { ["steps"] = 5 }, cancellationToken);
        var id = created["taskId"]!.GetValue<string>();
        report.Line("TASK", $"{id} {created["status"]} (ttl {created["ttlMs"]} ms, poll every {created["pollIntervalMs"]} ms)");
        var clock = Stopwatch.StartNew();
        var done = await report.WithProgressAsync("long_task (task)", progress =>
            PollAsync(client, created, task => IsEnded(task), task => Show(task, progress), cancellationToken));
        _schemas.Verify("long_task", done["result"]);
        var status = done["result"]?["structuredContent"]?["status"]?.GetValue<string>();
        report.Line("TASK RESULT", $"{done["status"]} after {clock.Elapsed.TotalSeconds:0.0} s: {done["result"]?["structuredContent"]?.ToJsonString()}");
        report.Check(done["status"]?.GetValue<string>() == "completed" && status == "done", "task", $"long_task should complete with status done, got {done.ToJsonString()}");
    }

    private async Task CancelledTaskAsync(McpClient client, CancellationToken cancellationToken)
    {
        var created = await CreateAsync(client, "long_task", new JsonObject { ["steps"] = 100 }, cancellationToken);
        var id = created["taskId"]!.GetValue<string>();
        await PollAsync(client, created, task => IsEnded(task) || task["statusMessage"]?.GetValue<string>()?.StartsWith("step", StringComparison.Ordinal) == true, null, cancellationToken);
        var clock = Stopwatch.StartNew();
        var acknowledgement = await SendAsync(client, "tasks/cancel", new JsonObject { ["taskId"] = id }, id, cancellationToken);
        report.Check(acknowledgement["resultType"]?.GetValue<string>() == "complete" && acknowledgement["status"] is null, "task cancel",
            $"tasks/cancel should answer an empty acknowledgement, got {acknowledgement.ToJsonString()}");
        var stopped = await PollAsync(client, created, task => task["statusMessage"]?.GetValue<string>()?.Contains("stopped", StringComparison.Ordinal) == true || task["status"]?.GetValue<string>() is "completed" or "failed", null, cancellationToken);
        report.Line("TASK CANCEL", $"{id} {stopped["status"]} ({stopped["statusMessage"]}) {clock.ElapsedMilliseconds} ms after tasks/cancel");
        report.Check(stopped["status"]?.GetValue<string>() == "cancelled", "task cancel", $"the task should end cancelled, got {stopped.ToJsonString()}");
    }

    private async Task InputTaskAsync(McpClient client, CancellationToken cancellationToken)
    {
        var created = await CreateAsync(client, "trouble_shoot_device", new JsonObject { ["subscription_id"] = subscriptionId, ["restart_device"] = true }, cancellationToken);
        var id = created["taskId"]!.GetValue<string>();
        var waiting = await PollAsync(client, created, task => IsEnded(task) || task["status"]?.GetValue<string>() == "input_required", null, cancellationToken);
        if (!report.Check(waiting["status"]?.GetValue<string>() == "input_required", "task input", $"trouble_shoot_device with restart_device should ask first, got {waiting.ToJsonString()}"))
        {
            return;
        }
        var (key, question) = waiting["inputRequests"]!.AsObject().First();
        report.Line("TASK INPUT", $"{question?["method"]}: {question?["params"]?["message"]} (answering: decline)");
        await SendAsync(client, "tasks/update", new JsonObject
        {
            ["taskId"] = id,
            ["inputResponses"] = new JsonObject { [key] = new JsonObject { ["action"] = "decline" } },
        }, id, cancellationToken);
        var done = await report.WithProgressAsync("trouble_shoot_device (task)", progress =>
            PollAsync(client, created, task => IsEnded(task), task => Show(task, progress), cancellationToken));
        _schemas.Verify("trouble_shoot_device", done["result"]);
        var restart = done["result"]?["structuredContent"]?["restart"]?.GetValue<string>();
        report.Line("TASK INPUT RESULT", $"{done["status"]}: restart = {restart}");
        report.Check(done["status"]?.GetValue<string>() == "completed" && restart == "restart declined by the user", "task input",
            $"after the answer the diagnosis should complete without a restart, got {done.ToJsonString()}");
    }

    private async Task<JsonObject> CreateAsync(McpClient client, string tool, JsonObject arguments, CancellationToken cancellationToken)
    {
        var result = await SendAsync(client, RequestMethods.ToolsCall, new JsonObject { ["name"] = tool, ["arguments"] = arguments }, tool, cancellationToken);
        return result["resultType"]?.GetValue<string>() == "task"
            ? result
            : throw new McpException($"{tool} should have become a task, got {result.ToJsonString()}");
    }

    /// <summary>Polls tasks/get at the task's suggested interval (capped at one second) until <paramref name="until"/> holds.</summary>
    private async Task<JsonObject> PollAsync(McpClient client, JsonObject created, Func<JsonObject, bool> until, Action<JsonObject>? seen, CancellationToken cancellationToken)
    {
        var id = created["taskId"]!.GetValue<string>();
        var deadline = Stopwatch.StartNew();
        var task = created;
        while (true)
        {
            var interval = TimeSpan.FromMilliseconds(Math.Clamp(task["pollIntervalMs"]?.GetValue<int>() ?? 1000, 50, 1000));
            await Task.Delay(interval, cancellationToken);
            task = await SendAsync(client, "tasks/get", new JsonObject { ["taskId"] = id }, id, cancellationToken);
            seen?.Invoke(task);
            if (until(task))
            {
                return task;
            }
            if (deadline.Elapsed > Patience)
            {
                throw new TimeoutException($"Task {id} did not get there within {Patience}: {task.ToJsonString()}");
            }
        }
    }

    private async Task<JsonObject> SendAsync(McpClient client, string method, JsonObject parameters, string routingName, CancellationToken cancellationToken)
    {
        var response = await client.SendRequestAsync(new JsonRpcRequest
        {
            Id = new RequestId(Interlocked.Increment(ref _nextId)),
            Method = method,
            Params = parameters,
#pragma warning disable MCPEXP002 // the Mcp-Name routing header of a custom method (tasks/* name the task)
            Context = new JsonRpcMessageContext { RoutingName = routingName },
#pragma warning restore MCPEXP002
        }, cancellationToken);
        return response.Result as JsonObject ?? throw new McpException($"{method} answered without a result object.");
    }

    private static void Show(JsonObject task, IProgress<ProgressUpdate> progress)
    {
        var message = task["statusMessage"]?.GetValue<string>();
        var step = message is null ? null : StepPattern().Match(message);
        progress.Report(step is { Success: true }
            ? new ProgressUpdate(double.Parse(step.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), double.Parse(step.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), message)
            : new ProgressUpdate(0, null, message ?? task["status"]?.GetValue<string>()));
    }

    private static bool IsEnded(JsonObject task) => task["status"]?.GetValue<string>() is "completed" or "failed" or "cancelled";

    private async Task StepAsync(string name, Func<Task> step)
    {
        try
        {
            await step();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            report.Fail(name, ex);
        }
    }

    [GeneratedRegex(@"^step (\d+)/(\d+)")]
    private static partial Regex StepPattern();
}

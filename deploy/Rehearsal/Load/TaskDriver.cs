using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Prynai.Rehearsal.Load;

/// <summary>One task the load started, and what was seen of it.</summary>
internal sealed class TrackedTask(string id, int steps)
{
    public string Id { get; } = id;

    public int Steps { get; } = steps;

    public string Status { get; set; } = "working";

    public JsonObject? Last { get; set; }

    /// <summary>Status messages that are not progress steps (e.g. the handover to another replica).</summary>
    public ConcurrentQueue<string> Notes { get; } = new();

    public bool Ended => Status is "completed" or "failed" or "cancelled";
}

/// <summary>
/// Starts long_task tasks of 10, 40 and 100 steps in turn, and polls them with tasks/get. A long one still running when its
/// revision drains may not fit in the drain's deadline: it is handed over.
/// </summary>
internal sealed class TaskDriver(HttpClient http, Tally tally, TimeSpan every)
{
    public const int LongestTask = 100;

    private static readonly int[] Lengths = [10, 40, LongestTask];

    public ConcurrentBag<TrackedTask> Tasks { get; } = [];

    public async Task StartTasksAsync(CancellationToken stop)
    {
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            try
            {
                await StartAsync(Lengths[i % Lengths.Length], stop);
                await Task.Delay(every, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        }
    }

    /// <summary>Starts one long_task of <paramref name="steps"/> steps as a task.</summary>
    public async Task StartAsync(int steps, CancellationToken cancellationToken)
    {
        var created = await tally.CallAsync(http, McpWire.Stateless("tools/call",
            new JsonObject { ["name"] = "long_task", ["arguments"] = new JsonObject { ["steps"] = steps } }, "long_task"), "task long_task", cancellationToken);
        if (created?["taskId"]?.GetValue<string>() is { } id)
        {
            Tasks.Add(new TrackedTask(id, steps));
        }
        else if (created is not null)
        {
            tally.Failure($"long_task did not create a task: {created.ToJsonString()}");
        }
    }

    /// <summary>Polls every task that has not ended, every half second, until <paramref name="stop"/>.</summary>
    public async Task PollAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await PollOnceAsync(stop);
                await Task.Delay(500, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        }
    }

    public async Task PollOnceAsync(CancellationToken cancellationToken)
    {
        foreach (var task in Tasks.Where(t => !t.Ended))
        {
            if (await tally.CallAsync(http, McpWire.Stateless("tasks/get", new JsonObject { ["taskId"] = task.Id }, task.Id), "tasks/get", cancellationToken) is not { } seen)
            {
                continue;
            }
            task.Last = seen;
            task.Status = seen["status"]?.GetValue<string>() ?? "?";
            if (seen["statusMessage"]?.GetValue<string>() is { } message && !message.StartsWith("step ", StringComparison.Ordinal) && !task.Notes.Contains(message))
            {
                task.Notes.Enqueue(message);
            }
        }
    }
}

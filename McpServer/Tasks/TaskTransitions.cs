using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace Prynai.McpServer.Tasks;

/// <summary>
/// Every change a task's record goes through, in one place: the runner, the reaper and the tasks/* methods only
/// decide which one applies.
/// </summary>
internal static class TaskTransitions
{
    public const string CancelledMessage = "Cancelled by the client.";
    public const string CancelledStoppedMessage = "Cancelled by the client; the work has stopped.";
    public const string WaitingMessage = "Waiting for input: answer the inputRequests with tasks/update.";

    public static TaskRecord Completed(TaskRecord task, CallToolResult result, TaskOptions options, DateTimeOffset now)
    {
        var json = JsonSerializer.SerializeToElement(result, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(CallToolResult)));
        var size = System.Text.Encoding.UTF8.GetByteCount(json.GetRawText());
        if (size > options.MaxResultBytes)
        {
            var refusal = new CallToolResult
            {
                IsError = true,
                Content = [new TextContentBlock { Text = $"The tool's result ({size:N0} bytes) exceeds the largest result a task keeps " +
                    $"({options.MaxResultBytes:N0} bytes, Tasks:MaxResultBytes). Ask for less (fewer items, a smaller range) and call the tool again." }],
            };
            json = JsonSerializer.SerializeToElement(refusal, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(CallToolResult)));
            return Ended(task, TaskStatuses.Completed, "The result was too large to keep.", options, now) with { Result = json };
        }
        return Ended(task, TaskStatuses.Completed, result.IsError == true ? "The tool reported an error." : "Completed.", options, now) with { Result = json };
    }

    public static TaskRecord Failed(TaskRecord task, McpErrorCode code, string message, TaskOptions options, DateTimeOffset now, object? data = null) =>
        Ended(task, TaskStatuses.Failed, message, options, now) with
        {
            Error = JsonSerializer.SerializeToElement(new JsonRpcErrorDetail { Code = (int)code, Message = message, Data = data },
                McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcErrorDetail))),
        };

    /// <summary>Cancelled by the client. The owner stays recorded so it can note when the work has stopped.</summary>
    public static TaskRecord Cancelled(TaskRecord task, TaskOptions options, DateTimeOffset now) =>
        Ended(task, TaskStatuses.Cancelled, CancelledMessage, options, now) with { Owner = task.Owner, OwnerSince = task.OwnerSince };

    /// <summary>The owner of a cancelled task reports that its work has stopped.</summary>
    public static TaskRecord? WorkStopped(TaskRecord task, string replica, DateTimeOffset now) =>
        task.Status == TaskStatuses.Cancelled && task.Owner == replica
            ? task with { StatusMessage = CancelledStoppedMessage, Owner = null, OwnerSince = null, LastUpdatedAt = now }
            : null;

    /// <summary>The tool asked for input: the task waits, owned by no replica, until tasks/update answers every request.</summary>
    public static TaskRecord NeedsInput(TaskRecord task, InputRequiredResult input, DateTimeOffset now)
    {
        var round = task.Round + 1;
        var requests = new Dictionary<string, PendingInput>(StringComparer.Ordinal);
        foreach (var (key, request) in input.InputRequests ?? new Dictionary<string, InputRequest>())
        {
            requests[$"{round}:{key}"] = new PendingInput(key, JsonSerializer.SerializeToElement(request, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(InputRequest))));
        }
        return task with
        {
            Status = TaskStatuses.InputRequired,
            StatusMessage = WaitingMessage,
            LastUpdatedAt = now,
            Round = round,
            InputRequests = requests,
            InputResponses = null,
            RequestState = input.RequestState,
            Owner = null,
            OwnerSince = null,
        };
    }

    /// <summary>
    /// Records the answers to outstanding requests (unknown or already answered keys are ignored). When nothing is
    /// outstanding any more the task is handed to <paramref name="replica"/> to run its next round.
    /// </summary>
    public static TaskRecord? Answered(TaskRecord task, IReadOnlyDictionary<string, JsonElement> responses, string replica, DateTimeOffset now)
    {
        if (task.Status != TaskStatuses.InputRequired || task.InputRequests is not { Count: > 0 } pending)
        {
            return null;
        }
        var remaining = new Dictionary<string, PendingInput>(pending, StringComparer.Ordinal);
        var gathered = new Dictionary<string, JsonElement>(task.InputResponses ?? [], StringComparer.Ordinal);
        foreach (var (key, response) in responses)
        {
            if (remaining.Remove(key, out var request))
            {
                gathered[request.Key] = response.Clone();
            }
        }
        if (remaining.Count == pending.Count)
        {
            return null;
        }
        return remaining.Count > 0
            ? task with { InputRequests = remaining, InputResponses = gathered, LastUpdatedAt = now }
            : task with
            {
                Status = TaskStatuses.Working,
                StatusMessage = "Resumed with the client's input.",
                InputRequests = null,
                InputResponses = gathered,
                Owner = replica,
                OwnerSince = now,
                LastUpdatedAt = now,
            };
    }

    public const string HandedOverMessage = "Moving to another replica: the one running it is shutting down; the work starts again there.";
    public const string ClaimedMessage = "Resumed on another replica after the one running it shut down; working.";

    /// <summary>
    /// A draining replica gives up a task whose work can start again elsewhere: still working, owned by nobody, so
    /// another replica's supervisor claims it. The round's answers and request state stay for the restart.
    /// </summary>
    public static TaskRecord? HandedOver(TaskRecord task, string replica, DateTimeOffset now) =>
        task.Status == TaskStatuses.Working && task.Owner == replica
            ? task with { Owner = null, OwnerSince = null, StatusMessage = HandedOverMessage, LastUpdatedAt = now }
            : null;

    /// <summary>A replica takes over a handed-over task (see <see cref="HandedOver"/>) and runs its round again.</summary>
    public static TaskRecord? Claimed(TaskRecord task, string replica, DateTimeOffset now) =>
        task.AwaitsClaim && task.Deadline > now
            ? task with { Owner = replica, OwnerSince = now, StatusMessage = ClaimedMessage, LastUpdatedAt = now }
            : null;

    /// <summary>Progress of the work, shown as the status message of a working task.</summary>
    public static TaskRecord? Progressed(TaskRecord task, string replica, string message, DateTimeOffset now) =>
        task.Status == TaskStatuses.Working && task.Owner == replica && task.StatusMessage != message
            ? task with { StatusMessage = message, LastUpdatedAt = now }
            : null;

    private static TaskRecord Ended(TaskRecord task, string status, string message, TaskOptions options, DateTimeOffset now) => task with
    {
        Status = status,
        StatusMessage = message,
        LastUpdatedAt = now,
        ExpiresAt = now + options.ResultTtl,
        Owner = null,
        OwnerSince = null,
        InputRequests = null,
        InputResponses = null,
        RequestState = null,
    };
}

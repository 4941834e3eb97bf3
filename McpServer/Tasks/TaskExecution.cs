using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Prynai.McpServer.Tasks;

/// <summary>Why a task's work was stopped before it ended by itself.</summary>
internal enum StopReason
{
    /// <summary>tasks/cancel from its caller.</summary>
    Cancelled,

    /// <summary>Its time-to-live ran out.</summary>
    Deadline,

    /// <summary>This replica drains and its deadline came before the work ended: handed over (or failed when it cannot move).</summary>
    Handover,

    /// <summary>The record no longer names this replica as its owner (a reaper ended it).</summary>
    Superseded,

    /// <summary>The caller left before it learned the task's id.</summary>
    Withdrawn,
}

/// <summary>How one round of a task's work ended.</summary>
internal abstract record TaskOutcome
{
    public sealed record Finished(CallToolResult Result) : TaskOutcome;

    public sealed record ProtocolError(ModelContextProtocol.McpErrorCode Code, string Message, object? Data = null) : TaskOutcome;

    public sealed record NeedsInput(InputRequiredResult Input) : TaskOutcome;

    public sealed record Stopped(StopReason Reason) : TaskOutcome;
}

/// <summary>
/// One round of a task's work running on this replica: its cancellation, its outcome, and whether the caller has
/// been shown the task yet (a round whose caller has not seen it is discarded instead of recorded).
/// </summary>
internal sealed class TaskExecution : IDisposable
{
    /// <summary>Where the tool's request context carries the execution, for progress and logging hooks.</summary>
    public const string ItemKey = "prynai.task-execution";

    private readonly CancellationTokenSource _stop;
    private readonly TaskCompletionSource<bool> _exposed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Func<TaskExecution, string, Task> _reportProgress;
    private StopReason? _reason;

    public TaskExecution(TaskRecord task, bool movable, TimeProvider time, Func<TaskExecution, string, Task> reportProgress)
    {
        Task = task;
        Movable = movable;
        _reportProgress = reportProgress;
        var remaining = task.Deadline - time.GetUtcNow();
        _stop = new CancellationTokenSource(remaining > TimeSpan.Zero ? remaining : TimeSpan.FromMilliseconds(1), time);
    }

    /// <summary>The record as it was when this round started.</summary>
    public TaskRecord Task { get; }

    public CancellationToken Token => _stop.Token;

    /// <summary>Whether the round can start again on another replica (its tool is <see cref="RunsAsTaskAttribute.Restartable"/>).</summary>
    public bool Movable { get; }

    /// <summary>Why the work was stopped: <see cref="StopReason.Deadline"/> when nothing else stopped it first.</summary>
    public StopReason Reason => _reason ?? StopReason.Deadline;

    public Task<TaskOutcome> Outcome { get; set; } = null!;

    public Task Recorded { get; set; } = System.Threading.Tasks.Task.CompletedTask;

    /// <summary>True once the caller was given the task; false when the call was answered without one.</summary>
    public Task<bool> Exposed => _exposed.Task;

    public void Expose() => _exposed.TrySetResult(true);

    public void Withdraw() => _exposed.TrySetResult(false);

    public bool Stop(StopReason reason)
    {
        if (_stop.IsCancellationRequested)
        {
            return false;
        }
        _reason ??= reason;
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
        return true;
    }

    public Task ReportProgressAsync(string message) => _reportProgress(this, message);

    /// <summary>The execution behind a tool's request context, when the tool runs as a task.</summary>
    /// <remarks>Reads the message's items without creating them (MessageContext.Items would, on every tool call).</remarks>
    public static TaskExecution? Of(MessageContext request) =>
        request.JsonRpcMessage.Context?.Items is { } items && items.TryGetValue(ItemKey, out var value) ? value as TaskExecution : null;

    public void Dispose() => _stop.Dispose();
}

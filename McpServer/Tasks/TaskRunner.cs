// The SDK's extension points for custom methods and alternate tool results are marked for evaluation (MCPEXP002).
#pragma warning disable MCPEXP002

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Prynai.McpServer.State;
using Prynai.McpServer.Telemetry;

namespace Prynai.McpServer.Tasks;

/// <summary>
/// Runs task work on this replica: each round in its own service scope and span, stoppable by cancellation, deadline
/// or shutdown, and records how it ended in the task store — unless another replica has taken the task over since.
/// </summary>
internal sealed partial class TaskRunner(
    ITaskStore store,
    IServiceScopeFactory scopes,
    IOptions<TaskOptions> options,
    TimeProvider time,
    ILogger<TaskRunner> logger)
{
    private readonly ConcurrentDictionary<string, TaskExecution> _running = new(StringComparer.Ordinal);

    /// <summary>This process among the replicas: the owner written on the tasks it runs.</summary>
    public string ReplicaId { get; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant()}";

    public ICollection<string> Running => _running.Keys;

    /// <summary>
    /// Starts a round of <paramref name="task"/>'s work. The round's synchronous part runs before this returns, so a
    /// tool that fails or asks for input at once has its outcome ready.
    /// </summary>
    public TaskExecution Start(TaskRecord task, bool exposed,
        Func<TaskExecution, IServiceProvider, CancellationToken, ValueTask<ResultOrAlternate<CallToolResult>>> round, bool movable)
    {
        var execution = new TaskExecution(task, movable, time, ReportProgressAsync);
        _running[task.Id] = execution;
        if (exposed)
        {
            execution.Expose();
        }
        execution.Outcome = RunRoundAsync(execution, round);
        execution.Recorded = RecordWhenDoneAsync(execution);
        return execution;
    }

    /// <summary>Stops the work of a task running here; false when it does not run here.</summary>
    public bool Stop(string taskId, StopReason reason) => _running.TryGetValue(taskId, out var execution) && execution.Stop(reason);

    /// <summary>
    /// The drain of this replica's tasks: each runs on until it ends by itself or <paramref name="deadline"/> comes;
    /// then what is left stops and is recorded as handed over (work that can start again elsewhere) or failed, which
    /// takes at most <paramref name="recordFor"/>. Tasks a caller started meanwhile are drained the same way.
    /// </summary>
    public async Task DrainAsync(DateTimeOffset deadline, TimeSpan recordFor)
    {
        var remaining = deadline - time.GetUtcNow();
        if (remaining > TimeSpan.Zero && !_running.IsEmpty)
        {
            LogDraining(logger, _running.Count, remaining.TotalSeconds);
            using var until = new CancellationTokenSource(remaining, time);
            while (_running.Values.Select(e => e.Recorded).ToList() is { Count: > 0 } running && !until.IsCancellationRequested)
            {
                await ((Task)Task.WhenAny(running)).WaitAsync(until.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
        var left = _running.Values.ToList();
        if (left.Count == 0)
        {
            return;
        }
        foreach (var execution in left)
        {
            execution.Stop(StopReason.Handover);
        }
        LogHandingOver(logger, left.Count(e => e.Movable), left.Count(e => !e.Movable));
        using var recording = new CancellationTokenSource(recordFor, time);
        await Task.WhenAll(left.Select(e => e.Recorded)).WaitAsync(recording.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (left.Count(e => !e.Recorded.IsCompleted) is > 0 and var unrecorded)
        {
            LogStopTimedOut(logger, unrecorded);
        }
    }

    private async Task<TaskOutcome> RunRoundAsync(TaskExecution execution,
        Func<TaskExecution, IServiceProvider, CancellationToken, ValueTask<ResultOrAlternate<CallToolResult>>> round)
    {
        var tool = execution.Task.Tool;
        using var activity = PrynaiTelemetry.Source.StartActivity($"task {tool}", ActivityKind.Internal);
        activity?.SetTag("gen_ai.tool.name", tool);
        activity?.SetTag("mcp.task.id", execution.Task.Id);
        await using var scope = scopes.CreateAsyncScope();
        TaskOutcome outcome;
        try
        {
            var result = await round(execution, scope.ServiceProvider, execution.Token);
            outcome = result switch
            {
                { IsAlternate: false, Result: { } finished } => new TaskOutcome.Finished(finished),
                { Alternate: InputRequiredResult input } => new TaskOutcome.NeedsInput(input),
                _ => new TaskOutcome.ProtocolError(McpErrorCode.InternalError, $"The tool '{tool}' answered with a result a task cannot hold."),
            };
        }
        catch (OperationCanceledException) when (execution.Token.IsCancellationRequested)
        {
            outcome = new TaskOutcome.Stopped(execution.Reason);
        }
        catch (InputRequiredException ex)
        {
            outcome = new TaskOutcome.NeedsInput(ex.Result);
        }
        catch (MissingRequiredClientCapabilityException ex)
        {
            outcome = new TaskOutcome.ProtocolError(ex.ErrorCode, ex.Message, new MissingRequiredClientCapabilityErrorData { RequiredCapabilities = ex.RequiredCapabilities });
        }
        catch (McpProtocolException ex)
        {
            outcome = new TaskOutcome.ProtocolError(ex.ErrorCode, ex.Message);
        }
        catch (Exception ex) when (ex is McpException or StateStoreUnavailableException)
        {
            // As on a direct call: the tool's own refusal, or a store outage, is a tool error the caller can read.
            outcome = new TaskOutcome.Finished(ToolError(ex is StateStoreUnavailableException ? $"Tool '{tool}' could not run: {ex.Message}" : ex.Message));
        }
        catch (Exception ex)
        {
            LogToolFailed(logger, ex, tool, execution.Task.Id);
            outcome = new TaskOutcome.Finished(ToolError($"An error occurred invoking '{tool}'."));
        }
        activity?.SetTag("mcp.task.outcome", outcome.GetType().Name);
        return outcome;
    }

    private async Task RecordWhenDoneAsync(TaskExecution execution)
    {
        var outcome = await execution.Outcome;
        try
        {
            if (await execution.Exposed)
            {
                await RecordAsync(execution, outcome);
            }
        }
        finally
        {
            _running.TryRemove(new KeyValuePair<string, TaskExecution>(execution.Task.Id, execution));
            execution.Dispose();
        }
    }

    /// <summary>
    /// Records the outcome; while the store is unreachable it keeps trying (backing off to 5 s) until the task's
    /// deadline, so an outage delays the outcome instead of losing it.
    /// </summary>
    private async Task RecordAsync(TaskExecution execution, TaskOutcome outcome)
    {
        var settings = options.Value;
        var pause = TimeSpan.FromMilliseconds(250);
        while (true)
        {
            try
            {
                var update = await store.UpdateAsync(execution.Task.Id, task => Apply(task, outcome, execution.Movable, settings, time.GetUtcNow()), CancellationToken.None);
                if (update is { Changed: false } && update.Task.Owner is { } owner && owner != ReplicaId && update.Task.IsLive)
                {
                    LogSuperseded(logger, execution.Task.Id, owner);
                }
                return;
            }
            catch (StateStoreUnavailableException ex) when (time.GetUtcNow() < execution.Task.Deadline)
            {
                LogRecordRetry(logger, ex.Store, execution.Task.Id);
                await Task.Delay(pause, time);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
            catch (StateStoreUnavailableException ex)
            {
                LogRecordFailed(logger, ex, execution.Task.Id);
                return;
            }
        }
    }

    private TaskRecord? Apply(TaskRecord task, TaskOutcome outcome, bool movable, TaskOptions settings, DateTimeOffset now)
    {
        if (task.Owner != ReplicaId)
        {
            return null; // ended or taken over elsewhere (a reaper decided this replica was gone)
        }
        if (!task.IsLive)
        {
            return TaskTransitions.WorkStopped(task, ReplicaId, now);
        }
        return outcome switch
        {
            TaskOutcome.Finished finished => TaskTransitions.Completed(task, finished.Result, settings, now),
            TaskOutcome.ProtocolError error => TaskTransitions.Failed(task, error.Code, error.Message, settings, now, error.Data),
            TaskOutcome.NeedsInput { Input.InputRequests.Count: > 0 } input => TaskTransitions.NeedsInput(task, input.Input, now),
            TaskOutcome.NeedsInput => TaskTransitions.Failed(task, McpErrorCode.InternalError, $"The tool '{task.Tool}' asked for input but named no request.", settings, now),
            TaskOutcome.Stopped { Reason: StopReason.Cancelled } => TaskTransitions.Cancelled(task, settings, now) with { StatusMessage = TaskTransitions.CancelledStoppedMessage, Owner = null, OwnerSince = null },
            TaskOutcome.Stopped { Reason: StopReason.Handover } when movable => TaskTransitions.HandedOver(task, ReplicaId, now),
            TaskOutcome.Stopped { Reason: StopReason.Handover } => TaskTransitions.Failed(task, McpErrorCode.InternalError,
                "The server replica running this task was shut down (a new revision or a scale-in) before the work finished within its " +
                "grace period, and this work cannot move to another replica; call the tool again.", settings, now),
            TaskOutcome.Stopped { Reason: StopReason.Deadline } => TaskTransitions.Failed(task, McpErrorCode.InternalError,
                $"The task ran out of time: it may run for {settings.Ttl} (Tasks:Ttl) from its creation.", settings, now),
            _ => null,
        };
    }

    private Task ReportProgressAsync(TaskExecution execution, string message) =>
        IgnoreOutageAsync(() => store.UpdateAsync(execution.Task.Id, task => TaskTransitions.Progressed(task, ReplicaId, message, time.GetUtcNow()), execution.Token));

    private static async Task IgnoreOutageAsync(Func<Task> write)
    {
        try
        {
            await write();
        }
        catch (StateStoreUnavailableException)
        {
            // Progress is advisory: the work goes on, and the next report or the outcome will be recorded.
        }
    }

    internal static CallToolResult ToolError(string message) => new() { IsError = true, Content = [new TextContentBlock { Text = message }] };

    [LoggerMessage(Level = LogLevel.Error, Message = "Tool {Tool} failed in task {TaskId}")]
    private static partial void LogToolFailed(ILogger logger, Exception exception, string tool, string taskId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId} was taken over by {Owner}; this replica's outcome is dropped")]
    private static partial void LogSuperseded(ILogger logger, string taskId, string owner);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Store} store is unavailable; retrying to record the outcome of task {TaskId}")]
    private static partial void LogRecordRetry(ILogger logger, string store, string taskId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not record the outcome of task {TaskId} before its deadline; the reaper will fail it")]
    private static partial void LogRecordFailed(ILogger logger, Exception exception, string taskId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} task(s) were still being recorded when the drain's time ran out; other replicas' reapers end them")]
    private static partial void LogStopTimedOut(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Draining: {Count} task(s) running here may finish within the next {Seconds:0.0} s")]
    private static partial void LogDraining(ILogger logger, int count, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Draining: the deadline came; {Moving} task(s) handed over to another replica, {Failing} failed (their work cannot move)")]
    private static partial void LogHandingOver(ILogger logger, int moving, int failing);
}

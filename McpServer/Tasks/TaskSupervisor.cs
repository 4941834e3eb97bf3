using Microsoft.Extensions.Options;
using ModelContextProtocol;
using Prynai.McpServer.State;

namespace Prynai.McpServer.Tasks;

/// <summary>
/// Keeps tasks honest across replicas: tells the others this replica is alive while it runs tasks (a heartbeat
/// value that expires after <see cref="TaskOptions.LeaseDuration"/>), stops local work when its caller cancels it
/// through another replica (change feed, with a periodic re-read as a fallback), and fails the tasks of replicas
/// that stopped beating, or that ran out of time waiting for input.
/// </summary>
internal sealed partial class TaskSupervisor(
    TaskRunner runner,
    ITaskStore tasks,
    IStateStore state,
    IOptions<TaskOptions> options,
    TimeProvider time,
    ILogger<TaskSupervisor> logger) : IHostedService
{
    /// <summary>Change-feed topic asking the replica that runs a task to stop it; subject = task id.</summary>
    public const string CancelTopic = "task-cancel";

    private readonly CancellationTokenSource _stop = new();
    private IDisposable? _subscription;
    private Task[] _loops = [];

    public static string HeartbeatKey(string replica) => $"prynai:tasks:replica:{replica}";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = state.Subscribe(change =>
        {
            if (change.Topic == CancelTopic)
            {
                runner.Stop(change.Subject, StopReason.Cancelled);
            }
            return Task.CompletedTask;
        });
        // Separate loops, so a slow pass of one never delays a heartbeat.
        _loops =
        [
            Task.Run(() => LoopAsync(options.Value.HeartbeatInterval, BeatAsync, _stop.Token)),
            Task.Run(() => LoopAsync(options.Value.HeartbeatInterval, WatchAsync, _stop.Token)),
            Task.Run(() => LoopAsync(options.Value.ReaperInterval, ReapAsync, _stop.Token)),
        ];
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        await _stop.CancelAsync();
        await runner.StopAllAsync(StopReason.Shutdown, cancellationToken);
        await Task.WhenAll(_loops).WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task LoopAsync(TimeSpan interval, Func<CancellationToken, Task> tick, CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                try
                {
                    await tick(stopping);
                }
                catch (StateStoreUnavailableException ex)
                {
                    LogStoreUnavailable(logger, ex.Store);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogTickFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private async Task BeatAsync(CancellationToken cancellationToken)
    {
        if (runner.Running.Count > 0)
        {
            await state.SetValueAsync(HeartbeatKey(runner.ReplicaId), time.GetUtcNow().ToString("O"), options.Value.LeaseDuration, cancellationToken);
        }
    }

    /// <summary>
    /// The change feed is best effort (a Redis pub/sub message is lost while a replica reconnects): re-read the tasks
    /// running here and stop those that were cancelled or taken over meanwhile.
    /// </summary>
    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        foreach (var id in runner.Running.ToList())
        {
            var task = await tasks.GetAsync(id, cancellationToken);
            if (task is null || !task.IsLive || task.Owner != runner.ReplicaId)
            {
                runner.Stop(id, task?.Status == TaskStatuses.Cancelled ? StopReason.Cancelled : StopReason.Superseded);
            }
        }
    }

    private async Task ReapAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        var alive = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var live in await tasks.ListLiveAsync(cancellationToken))
        {
            if (live.Owner == runner.ReplicaId)
            {
                continue; // this replica watches its own work (deadline, cancellation)
            }
            if (live.Owner is null)
            {
                if (live.Deadline <= now)
                {
                    await FailAsync(live, $"The task waited for input longer than it may live ({settings.Ttl}, Tasks:Ttl) and was ended.", cancellationToken);
                }
                continue;
            }
            var silentFor = now - (live.OwnerSince ?? now);
            if (silentFor < settings.LeaseDuration && live.Deadline > now)
            {
                continue; // a new owner gets a full lease before its silence counts
            }
            if (!alive.TryGetValue(live.Owner, out var beating))
            {
                alive[live.Owner] = beating = await state.GetValueAsync(HeartbeatKey(live.Owner), cancellationToken) is not null;
            }
            if (beating && live.Deadline + settings.LeaseDuration > now)
            {
                continue; // a live owner ends its own work at the deadline
            }
            await FailAsync(live, beating
                ? $"The task ran out of time: it may run for {settings.Ttl} (Tasks:Ttl) from its creation."
                : $"The server replica running this task stopped responding (no heartbeat for {settings.LeaseDuration.TotalSeconds:0.#} s); " +
                  "its work was lost. Call the tool again.", cancellationToken);
        }
    }

    private async Task FailAsync(LiveTask live, string message, CancellationToken cancellationToken)
    {
        var update = await tasks.UpdateAsync(live.Id, task => task.IsLive && task.Owner == live.Owner
            ? TaskTransitions.Failed(task, McpErrorCode.InternalError, message, options.Value, time.GetUtcNow())
            : null, cancellationToken);
        if (update is { Changed: true })
        {
            LogReaped(logger, live.Id, live.Owner ?? "(waiting for input)", message);
            if (live.Owner is not null)
            {
                // A replica that was only slow, not dead, stops the work nobody will record any more.
                await state.PublishAsync(new StateChange(CancelTopic, live.Id), cancellationToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId} of {Owner} ended as failed: {Reason}")]
    private static partial void LogReaped(ILogger logger, string taskId, string owner, string reason);

    // The outage itself is logged once by the store's availability log.
    [LoggerMessage(Level = LogLevel.Debug, Message = "The {Store} store is unavailable; task supervision resumes when it answers")]
    private static partial void LogStoreUnavailable(ILogger logger, string store);

    [LoggerMessage(Level = LogLevel.Error, Message = "A task supervision pass failed")]
    private static partial void LogTickFailed(ILogger logger, Exception exception);
}

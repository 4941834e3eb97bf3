using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Prynai.McpServer.Security;
using Prynai.McpServer.State;

namespace Prynai.McpServer.Tasks;

/// <summary>
/// notifications/tasks on a subscriptions/listen stream: which task ids a listen request may follow (its caller's own,
/// and only with the extension declared), and the DetailedTask each notification carries. Every change of a task is
/// announced on the change feed (<see cref="ChangedTopic"/>), so a listener hears it whichever replica made it.
/// </summary>
public sealed class TaskNotifications(ITaskStore store)
{
    /// <summary>Change-feed topic: a task changed; subject = task id.</summary>
    public const string ChangedTopic = "task-changed";

    public const string Method = "notifications/tasks";

    /// <summary>
    /// The task ids of <c>params.notifications.taskIds</c> this listener may follow: those that exist and belong to
    /// its caller. Asking for any without declaring the extension is -32021.
    /// </summary>
    public async Task<IReadOnlyList<string>> GrantAsync(RequestContext<SubscriptionsListenRequestParams> request, CancellationToken cancellationToken)
    {
        if (request.JsonRpcRequest.Params?["notifications"]?["taskIds"] is not JsonArray { Count: > 0 } requested)
        {
            return [];
        }
        if (!TaskProtocol.Declares(request.JsonRpcRequest))
        {
            throw TaskProtocol.MissingExtension("Listening to task status notifications (notifications.taskIds)");
        }
        var caller = CallerIdentity.Of(request.User) ?? TaskCallFilter.Anonymous;
        var granted = new List<string>();
        foreach (var id in requested.OfType<JsonValue>().Select(v => v.TryGetValue(out string? s) ? s : null).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            if (await store.GetAsync(id, cancellationToken) is { } task && task.Requester == caller)
            {
                granted.Add(id);
            }
        }
        return granted;
    }

    /// <summary>The parameters of notifications/tasks for the task as it is now, or null when it is gone.</summary>
    public async Task<JsonObject?> ParametersAsync(string taskId, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(taskId, cancellationToken) is not { } task)
        {
            return null;
        }
        var parameters = TaskProtocol.Detailed(task);
        parameters.Remove("resultType");
        return parameters;
    }
}

/// <summary>
/// Announces every created or changed task on the change feed, for listeners on any replica. The announcement only
/// names the task (a listener reads its current state), so it runs in the background, never delaying the write, and
/// changes that arrive while one is being announced are announced once after it.
/// </summary>
internal sealed partial class AnnouncingTaskStore(ITaskStore inner, IStateStore state, ILogger<AnnouncingTaskStore> logger) : ITaskStore
{
    // Task id → whether it changed again while its announcement was on its way.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _announcing = new(StringComparer.Ordinal);

    public string Kind => inner.Kind;

    public async Task CreateAsync(TaskRecord task, TaskLimits limits, CancellationToken cancellationToken)
    {
        await inner.CreateAsync(task, limits, cancellationToken);
        Announce(task.Id);
    }

    public Task<TaskRecord?> GetAsync(string id, CancellationToken cancellationToken) => inner.GetAsync(id, cancellationToken);

    public async Task<TaskUpdate?> UpdateAsync(string id, Func<TaskRecord, TaskRecord?> change, CancellationToken cancellationToken)
    {
        var update = await inner.UpdateAsync(id, change, cancellationToken);
        if (update is { Changed: true })
        {
            Announce(id);
        }
        return update;
    }

    public Task DeleteAsync(string id, CancellationToken cancellationToken) => inner.DeleteAsync(id, cancellationToken);

    public Task<IReadOnlyList<LiveTask>> ListLiveAsync(CancellationToken cancellationToken) => inner.ListLiveAsync(cancellationToken);

    private void Announce(string id)
    {
        if (!_announcing.TryAdd(id, false))
        {
            _announcing[id] = true;
            return;
        }
        _ = Task.Run(async () =>
        {
            do
            {
                _announcing[id] = false;
                try
                {
                    await state.PublishAsync(new StateChange(TaskNotifications.ChangedTopic, id), CancellationToken.None);
                }
                catch (StateStoreUnavailableException ex)
                {
                    // Notifications are a convenience; the record, which polling reads, is already written.
                    LogAnnounceFailed(logger, ex.Store, id);
                }
            }
            while (!_announcing.TryRemove(new KeyValuePair<string, bool>(id, false)));
        });
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not announce a change of task {TaskId} on the {Store} change feed")]
    private static partial void LogAnnounceFailed(ILogger logger, string store, string taskId);
}

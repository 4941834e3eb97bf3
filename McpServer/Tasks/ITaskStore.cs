namespace Prynai.McpServer.Tasks;

/// <summary>
/// Task records in the configured store (SQLite, Redis or Cosmos DB), shared by every replica.
/// </summary>
/// <remarks>
/// A separate interface rather than more members on <see cref="State.IStateStore"/>: a task moves between states that
/// several replicas race to set (the owner completes it while the caller cancels it through another replica, a reaper
/// fails it), and its creation must count live tasks against limits atomically. IStateStore's counters, values and
/// change feed cannot express either. Each backend does both with its native primitive — a SQLite transaction, a Redis
/// Lua script, a Cosmos DB ETag — and IStateStore stays small for its other users. The change feed and the replica
/// heartbeats still go through IStateStore.
/// Implementations throw <see cref="State.StateStoreUnavailableException"/> when the backing service cannot be reached.
/// </remarks>
public interface ITaskStore
{
    /// <summary>"sqlite", "redis" or "cosmos".</summary>
    string Kind { get; }

    /// <summary>
    /// Stores a new live task; readable by every replica when this returns. Throws
    /// <see cref="TaskLimitExceededException"/> (and stores nothing) when a limit is reached.
    /// </summary>
    Task CreateAsync(TaskRecord task, TaskLimits limits, CancellationToken cancellationToken);

    /// <summary>The task, or null when it does not exist or has expired.</summary>
    Task<TaskRecord?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Applies <paramref name="change"/> atomically: it sees the current record and returns the new one, or null to
    /// leave it as it is; on a concurrent write it runs again on the newer record. Null when the task does not exist.
    /// </summary>
    Task<TaskUpdate?> UpdateAsync(string id, Func<TaskRecord, TaskRecord?> change, CancellationToken cancellationToken);

    /// <summary>Removes a task that was never shown to its caller.</summary>
    Task DeleteAsync(string id, CancellationToken cancellationToken);

    /// <summary>Every live (working or input_required) task, for the reaper.</summary>
    Task<IReadOnlyList<LiveTask>> ListLiveAsync(CancellationToken cancellationToken);
}

/// <summary>The record after an update, and whether the update changed it.</summary>
public sealed record TaskUpdate(TaskRecord Task, bool Changed);

/// <summary>Most live tasks one caller may have, and all callers together.</summary>
public sealed record TaskLimits(int PerRequester, int Total);

/// <summary>A new task would exceed <see cref="TaskLimits"/>; the message says which limit and what to do.</summary>
public sealed class TaskLimitExceededException(string message) : Exception(message);

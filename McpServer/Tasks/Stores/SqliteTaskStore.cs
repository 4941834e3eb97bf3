using System.Text.Json;
using Microsoft.Data.Sqlite;
using Prynai.McpServer.State;
using Prynai.McpServer.State.Stores;

namespace Prynai.McpServer.Tasks.Stores;

/// <summary>
/// Tasks in the embedded SQLite file (table <c>tasks</c> beside the state store's tables). Limits are counted and the
/// task inserted in one write transaction; updates compare the row's version.
/// </summary>
internal sealed class SqliteTaskStore : ITaskStore
{
    private const string Live = "status IN ('working', 'input_required')";

    private const string Schema =
        "CREATE TABLE IF NOT EXISTS tasks(id TEXT PRIMARY KEY, requester TEXT NOT NULL, status TEXT NOT NULL, owner TEXT NULL, " +
        "owner_since INTEGER NULL, deadline INTEGER NOT NULL, expires_at INTEGER NOT NULL, version INTEGER NOT NULL, body TEXT NOT NULL);" +
        "CREATE INDEX IF NOT EXISTS tasks_live ON tasks(status, requester);" +
        "CREATE INDEX IF NOT EXISTS tasks_expiry ON tasks(expires_at);";

    private readonly SqliteDatabase _database;
    private readonly TimeProvider _time;

    /// <remarks>
    /// Unlike the state store and the support desk, this store has never set synchronous=NORMAL when it creates its
    /// schema (no reason recorded); kept so. Its writes run on pooled connections that do not set it either.
    /// </remarks>
    public SqliteTaskStore(string path, TimeProvider time)
    {
        _database = new SqliteDatabase(path, Schema, synchronousNormal: false);
        _time = time;
    }

    public string Kind => "sqlite";

    public Task CreateAsync(TaskRecord task, TaskLimits limits, CancellationToken cancellationToken) =>
        RunAsync(async connection =>
        {
            // BEGIN IMMEDIATE: the count and the insert see no other writer in between.
            await using var transaction = connection.BeginTransaction(deferred: false);
            // Expired rows go first, so they never count and the table does not grow without bound.
            await ExecuteAsync(connection, transaction, "DELETE FROM tasks WHERE expires_at <= $now", cancellationToken, ("$now", Now()));
            var total = (long)(await ScalarAsync(connection, transaction, $"SELECT COUNT(*) FROM tasks WHERE {Live}", cancellationToken))!;
            var mine = (long)(await ScalarAsync(connection, transaction, $"SELECT COUNT(*) FROM tasks WHERE {Live} AND requester = $requester",
                cancellationToken, ("$requester", task.Requester)))!;
            TaskLimitMessages.ThrowIfExceeded(mine, total, limits);
            await ExecuteAsync(connection, transaction,
                "INSERT INTO tasks(id, requester, status, owner, owner_since, deadline, expires_at, version, body) " +
                "VALUES($id, $requester, $status, $owner, $owner_since, $deadline, $expires_at, 1, $body)",
                cancellationToken, Columns(task));
            await transaction.CommitAsync(cancellationToken);
            return true;
        });

    public Task<TaskRecord?> GetAsync(string id, CancellationToken cancellationToken) =>
        RunAsync(connection => ReadAsync(connection, id, cancellationToken));

    public Task<TaskUpdate?> UpdateAsync(string id, Func<TaskRecord, TaskRecord?> change, CancellationToken cancellationToken) =>
        RunAsync<TaskUpdate?>(async connection =>
        {
            while (true)
            {
                if (await ReadAsync(connection, id, cancellationToken) is not { } current)
                {
                    return null;
                }
                if (change(current) is not { } changed)
                {
                    return new TaskUpdate(current, false);
                }
                var version = long.Parse(current.Version!, System.Globalization.CultureInfo.InvariantCulture);
                var updated = await ExecuteAsync(connection, null,
                    "UPDATE tasks SET status = $status, owner = $owner, owner_since = $owner_since, deadline = $deadline, " +
                    "expires_at = $expires_at, body = $body, version = version + 1 WHERE id = $id AND version = $version",
                    cancellationToken, [.. Columns(changed), ("$version", version)]);
                if (updated == 1)
                {
                    return new TaskUpdate(changed with { Version = (version + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) }, true);
                }
            }
        });

    public Task DeleteAsync(string id, CancellationToken cancellationToken) =>
        RunAsync(async connection => await ExecuteAsync(connection, null, "DELETE FROM tasks WHERE id = $id", cancellationToken, ("$id", id)));

    public Task<IReadOnlyList<LiveTask>> ListLiveAsync(CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<LiveTask>>(async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT id, requester, owner, owner_since, deadline, status FROM tasks WHERE {Live}";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var live = new List<LiveTask>();
            while (await reader.ReadAsync(cancellationToken))
            {
                var ownerSince = reader.IsDBNull(3) ? (DateTimeOffset?)null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3));
                var deadline = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4));
                live.Add(new LiveTask(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), ownerSince, deadline) { Status = reader.GetString(5) });
            }
            return live;
        });

    private async Task<TaskRecord?> ReadAsync(SqliteConnection connection, string id, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT body, version FROM tasks WHERE id = $id AND expires_at > $now";
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$now", Now());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        var task = JsonSerializer.Deserialize(reader.GetString(0), TaskRecordJson.Default.TaskRecord)!;
        return task with { Version = reader.GetInt64(1).ToString(System.Globalization.CultureInfo.InvariantCulture) };
    }

    private static (string, object)[] Columns(TaskRecord task) =>
    [
        ("$id", task.Id),
        ("$requester", task.Requester),
        ("$status", task.Status),
        ("$owner", (object?)task.Owner ?? DBNull.Value),
        ("$owner_since", task.OwnerSince is { } since ? since.ToUnixTimeMilliseconds() : DBNull.Value),
        ("$deadline", task.Deadline.ToUnixTimeMilliseconds()),
        ("$expires_at", task.ExpiresAt.ToUnixTimeMilliseconds()),
        ("$body", JsonSerializer.Serialize(task.ForStorage(), TaskRecordJson.Default.TaskRecord)),
    ];

    private static async Task<int> ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql,
        CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql,
        CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return command;
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private async Task<T> RunAsync<T>(Func<SqliteConnection, Task<T>> operation, CancellationToken cancellationToken = default)
    {
        try
        {
            await _database.InitializeAsync(cancellationToken);
            await using var connection = await _database.OpenAsync(cancellationToken);
            return await operation(connection);
        }
        catch (Exception ex) when (SqliteDatabase.IsUnavailable(ex))
        {
            throw new StateStoreUnavailableException(Kind, ex);
        }
    }
}

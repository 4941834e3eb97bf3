using Microsoft.Data.Sqlite;

namespace Prynai.McpServer.State.Stores;

/// <summary>
/// Event logs in one table. AUTOINCREMENT ids are never reused, so ids keep increasing across logs and restarts.
/// Each append trims its own log (count and age); expired rows of logs nobody appends to any more go once a minute.
/// </summary>
internal sealed partial class SqliteStateStore
{
    private const string EventLogSchema =
        "CREATE TABLE IF NOT EXISTS events(id INTEGER PRIMARY KEY AUTOINCREMENT, log TEXT NOT NULL, data TEXT NOT NULL, expires_at INTEGER NOT NULL);" +
        "CREATE INDEX IF NOT EXISTS events_by_log ON events(log, id);";

    private static readonly TimeSpan EventPurgeInterval = TimeSpan.FromMinutes(1);
    private long _nextEventPurge;

    public async Task<AppendedEvent> AppendEventAsync(string log, string data, EventLogLimits limits, CancellationToken cancellationToken) =>
        (AppendedEvent)(await WriteAsync(async (connection, transaction) =>
        {
            var now = Now();
            var previous = (long)(await ScalarAsync(connection, transaction, "SELECT COALESCE(MAX(id), 0) FROM events WHERE log = $log", CancellationToken.None,
                ("$log", log)))!;
            var id = (long)(await ScalarAsync(connection, transaction, "INSERT INTO events(log, data, expires_at) VALUES($log, $data, $expires) RETURNING id",
                CancellationToken.None, ("$log", log), ("$data", data), ("$expires", now + (long)limits.TimeToLive.TotalMilliseconds)))!;
            await ScalarAsync(connection, transaction,
                "DELETE FROM events WHERE log = $log AND (expires_at <= $now OR id <= " +
                "(SELECT id FROM events WHERE log = $log ORDER BY id DESC LIMIT 1 OFFSET $max))",
                CancellationToken.None, ("$log", log), ("$now", now), ("$max", limits.MaxEvents));
            if (now >= Volatile.Read(ref _nextEventPurge))
            {
                Volatile.Write(ref _nextEventPurge, now + (long)EventPurgeInterval.TotalMilliseconds);
                await ScalarAsync(connection, transaction, "DELETE FROM events WHERE expires_at <= $now", CancellationToken.None, ("$now", now));
            }
            return new AppendedEvent(id, previous);
        }, cancellationToken))!;

    public Task<IReadOnlyList<LoggedEvent>> ReadEventsAsync(string log, long afterId, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<LoggedEvent>>(cancellationToken, async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT id, data FROM events WHERE log = $log AND id > $after AND expires_at > $now ORDER BY id";
            command.Parameters.AddWithValue("$log", log);
            command.Parameters.AddWithValue("$after", afterId);
            command.Parameters.AddWithValue("$now", Now());
            var events = new List<LoggedEvent>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                events.Add(new LoggedEvent(reader.GetInt64(0), reader.GetString(1)));
            }
            return events;
        });

    public Task DeleteEventLogAsync(string log, CancellationToken cancellationToken) =>
        ExecuteWriteAsync("DELETE FROM events WHERE log = $log", cancellationToken, ("$log", log));

    private async Task<T> ReadAsync<T>(CancellationToken cancellationToken, Func<SqliteConnection, Task<T>> read)
    {
        try
        {
            await _database.InitializeAsync(cancellationToken);
            await using var connection = await _database.OpenAsync(cancellationToken);
            return await read(connection);
        }
        catch (Exception ex) when (SqliteDatabase.IsUnavailable(ex))
        {
            throw new StateStoreUnavailableException(Kind, ex);
        }
    }

    /// <summary>One statement's first value (null for none or SQL NULL), inside <paramref name="transaction"/> when given.</summary>
    private static async Task<object?> ScalarAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken,
        params (string Name, object Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        var result = await command.ExecuteScalarAsync(cancellationToken);
        return result is DBNull ? null : result;
    }
}

using Microsoft.Data.Sqlite;

namespace Prynai.McpServer.State.Stores;

/// <summary>
/// One SQLite file as the embedded stores open it (the state store, the task store, the support desk): pooled
/// read-write connections, and once, before the first of them, the file's directory created, WAL journal mode (readers
/// proceed during writes), a 30-second busy_timeout (concurrent writers queue instead of failing) and the store's schema.
/// </summary>
internal sealed class SqliteDatabase
{
    private const string OpeningPragmas = "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=30000;";

    /// <summary>
    /// synchronous=NORMAL, SQLite's advice for WAL: a commit survives a crash of the server; only a power loss of the
    /// machine can take the last commits. A per-connection setting.
    /// </summary>
    private const string SynchronousNormal = "PRAGMA synchronous=NORMAL;";

    private readonly string _connectionString;
    private readonly string _initialization;
    private readonly Func<SqliteConnection, CancellationToken, Task>? _afterSchema;
    private readonly SemaphoreSlim _initLock = new(1, 1);
    private volatile bool _initialized;

    /// <param name="path">The file (relative paths against the working directory).</param>
    /// <param name="schema">Creates the store's tables and indexes when missing; run once per instance.</param>
    /// <param name="synchronousNormal">Also set synchronous=NORMAL on the connection that runs the schema.</param>
    /// <param name="afterSchema">Runs on the same connection after the schema, before this instance hands out a connection.</param>
    public SqliteDatabase(string path, string schema, bool synchronousNormal, Func<SqliteConnection, CancellationToken, Task>? afterSchema = null)
    {
        FilePath = Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        _initialization = OpeningPragmas + (synchronousNormal ? SynchronousNormal : "") + schema;
        _afterSchema = afterSchema;
    }

    public string FilePath { get; }

    /// <summary>What the stores report as their store being unavailable (<see cref="StateStoreUnavailableException"/>).</summary>
    public static bool IsUnavailable(Exception exception) => exception is SqliteException or IOException or UnauthorizedAccessException;

    /// <summary>An open connection (pooled). Opening does not initialise: the store calls <see cref="InitializeAsync"/> first.</summary>
    public Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken) => OpenAsync(synchronousNormal: false, cancellationToken);

    /// <summary>An open connection, with synchronous=NORMAL set on it when asked.</summary>
    public async Task<SqliteConnection> OpenAsync(bool synchronousNormal, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            if (synchronousNormal)
            {
                await using var pragma = connection.CreateCommand();
                pragma.CommandText = SynchronousNormal;
                await pragma.ExecuteNonQueryAsync(cancellationToken);
            }
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates the directory and runs the pragmas and the schema, once: again only after an attempt failed.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (_initialized)
        {
            return;
        }
        await _initLock.WaitAsync(cancellationToken);
        try
        {
            if (_initialized)
            {
                return;
            }
            Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
            await using var connection = new SqliteConnection(_connectionString);
            await connection.OpenAsync(cancellationToken);
            await using (var command = connection.CreateCommand())
            {
                // No transaction around it: journal_mode cannot change inside one.
                command.CommandText = _initialization;
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            if (_afterSchema is not null)
            {
                await _afterSchema(connection, cancellationToken);
            }
            _initialized = true;
        }
        finally
        {
            _initLock.Release();
        }
    }
}

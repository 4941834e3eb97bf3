using Microsoft.Data.Sqlite;
using Prynai.McpServer.State;
using Prynai.McpServer.State.Stores;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.State;

/// <summary>Group commit: many concurrent writes share transactions, each result is its own, and one failure fails only itself.</summary>
public sealed class SqliteWriteBatcherTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    [Fact]
    public async Task ConcurrentWrites_AreBatched_AndEachGetsItsOwnResult()
    {
        await using var batcher = new SqliteWriteBatcher(OpenAsync);
        var transactions = new HashSet<SqliteTransaction>();
        var writes = Enumerable.Range(1, 200).Select(i => batcher.ExecuteAsync(async (connection, transaction) =>
        {
            lock (transactions)
            {
                transactions.Add(transaction);
            }
            return await ScalarAsync(connection, transaction, "UPDATE n SET v = v + 1 RETURNING v");
        }, Ct)).ToList();

        var results = (await Task.WhenAll(writes)).Select(r => (long)r!).ToList();

        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), results.Order());
        Assert.True(transactions.Count < 200, $"200 concurrent writes ran in {transactions.Count} transactions: nothing was batched.");
        Assert.Equal(200L, await ReadAsync());
    }

    [Fact]
    public async Task AFailingWrite_FailsAlone_AndTheOthersInItsBatchCommit()
    {
        await using var batcher = new SqliteWriteBatcher(OpenAsync);
        var gate = new TaskCompletionSource();
        // The first write holds the loop so the next ones queue up and run as one batch.
        var first = batcher.ExecuteAsync(async (connection, transaction) =>
        {
            await gate.Task;
            return await ScalarAsync(connection, transaction, "UPDATE n SET v = v + 1 RETURNING v");
        }, Ct);
        var writes = Enumerable.Range(0, 20).Select(i => batcher.ExecuteAsync((connection, transaction) => i == 10
            ? ScalarAsync(connection, transaction, "INSERT INTO missing_table VALUES (1)")
            : ScalarAsync(connection, transaction, "UPDATE n SET v = v + 1 RETURNING v"), Ct)).ToList();
        gate.SetResult();

        await first;
        await Assert.ThrowsAsync<SqliteException>(() => writes[10]);
        foreach (var write in writes.Where((_, i) => i != 10))
        {
            Assert.IsType<long>(await write);
        }
        Assert.Equal(20L, await ReadAsync());
    }

    [Fact]
    public async Task AWriteCancelledWhileQueued_NeverRuns()
    {
        await using var batcher = new SqliteWriteBatcher(OpenAsync);
        var gate = new TaskCompletionSource();
        var started = new TaskCompletionSource();
        var first = batcher.ExecuteAsync(async (connection, transaction) =>
        {
            started.TrySetResult();
            await gate.Task;
            return await ScalarAsync(connection, transaction, "UPDATE n SET v = v + 1 RETURNING v");
        }, Ct);
        await started.Task; // the loop is busy with the first write: the next one waits in the queue
        using var cancel = new CancellationTokenSource();
        var cancelled = batcher.ExecuteAsync((connection, transaction) => ScalarAsync(connection, transaction, "UPDATE n SET v = v + 100"), cancel.Token);
        cancel.Cancel();
        gate.SetResult();

        await first;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(1L, await ReadAsync());
    }

    public void Dispose() => _directory.Dispose();

    private string ConnectionString => $"Data Source={_directory.File("batch.db")}";

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var setup = connection.CreateCommand();
        setup.CommandText = "CREATE TABLE IF NOT EXISTS n(v INTEGER NOT NULL); INSERT INTO n SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM n);";
        await setup.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    private async Task<long> ReadAsync()
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT v FROM n";
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}

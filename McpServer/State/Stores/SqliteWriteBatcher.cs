using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Prynai.McpServer.State.Stores;

/// <summary>
/// Group commit for the SQLite store. SQLite runs one write at a time and each commit costs a WAL sync; writes from
/// this process queue here and one loop runs as many as are waiting in one transaction on one connection, so 32
/// concurrent bump_counter calls pay for one sync instead of 32. A caller's task completes only after its batch
/// committed, so an acknowledged write is as durable as with a transaction of its own. When anything in a batch fails,
/// the batch is rolled back and its writes run again one transaction each, so only the failing write fails.
/// </summary>
internal sealed class SqliteWriteBatcher : IAsyncDisposable
{
    /// <summary>One write: statements on the batch's connection, inside its transaction; returns the caller's result.</summary>
    public delegate Task<object?> Write(SqliteConnection connection, SqliteTransaction transaction);

    private const int MaxBatch = 256;

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Func<CancellationToken, Task<SqliteConnection>> _open;
    private readonly Task _loop;

    /// <param name="open">Opens (and prepares) the connection the writes run on; called again after a failure.</param>
    public SqliteWriteBatcher(Func<CancellationToken, Task<SqliteConnection>> open)
    {
        _open = open;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>
    /// Queues <paramref name="write"/> and returns its result once committed. Cancellation is honoured while the write
    /// waits in the queue; once its batch runs, it commits or fails with the batch.
    /// </summary>
    public Task<object?> ExecuteAsync(Write write, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var pending = new Pending(write, cancellationToken);
        return _queue.Writer.TryWrite(pending)
            ? pending.Completion.Task
            : Task.FromException<object?>(new ObjectDisposedException(nameof(SqliteStateStore)));
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
    }

    private async Task RunAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        var results = new List<object?>(MaxBatch);
        SqliteConnection? connection = null;
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next))
            {
                if (next.CancellationToken.IsCancellationRequested)
                {
                    next.Completion.TrySetCanceled(next.CancellationToken);
                }
                else
                {
                    batch.Add(next);
                }
            }
            if (batch.Count == 0)
            {
                continue;
            }

            try
            {
                connection ??= await _open(CancellationToken.None);
                await CommitAsync(connection, batch, results);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Completion.TrySetResult(results[i]);
                }
            }
            catch (Exception batchFailure)
            {
                connection = await DropAsync(connection);
                if (batch.Count == 1)
                {
                    batch[0].Completion.TrySetException(batchFailure);
                }
                else
                {
                    foreach (var pending in batch)
                    {
                        connection = await RunAloneAsync(connection, pending, results);
                    }
                }
            }
            batch.Clear();
            results.Clear();
        }
        await DropAsync(connection);
    }

    private async Task<SqliteConnection?> RunAloneAsync(SqliteConnection? connection, Pending pending, List<object?> results)
    {
        results.Clear();
        try
        {
            connection ??= await _open(CancellationToken.None);
            await CommitAsync(connection, [pending], results);
            pending.Completion.TrySetResult(results[0]);
            return connection;
        }
        catch (Exception ex)
        {
            pending.Completion.TrySetException(ex);
            return await DropAsync(connection);
        }
    }

    private static async Task CommitAsync(SqliteConnection connection, List<Pending> batch, List<object?> results)
    {
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        foreach (var pending in batch)
        {
            results.Add(await pending.Write(connection, transaction));
        }
        await transaction.CommitAsync();
    }

    private static async Task<SqliteConnection?> DropAsync(SqliteConnection? connection)
    {
        if (connection is not null)
        {
            await connection.DisposeAsync();
        }
        return null;
    }

    private sealed class Pending(Write write, CancellationToken cancellationToken)
    {
        public Write Write { get; } = write;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        public TaskCompletionSource<object?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

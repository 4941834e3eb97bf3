using System.Threading.Channels;

namespace Prynai.McpServer.State;

/// <summary>
/// Delivers store changes to local subscribers on a background loop, in order, so a publisher never waits for
/// (or fails because of) a slow subscriber. Each store feeds it from its own transport (in-process, pub/sub, polling).
/// </summary>
internal sealed partial class ChangeFeedDispatcher : IAsyncDisposable
{
    private readonly Channel<StateChange> _queue = Channel.CreateUnbounded<StateChange>(new() { SingleReader = true });
    private readonly Lock _gate = new();
    private readonly ILogger _logger;
    private readonly Task _loop;
    private Func<StateChange, Task>[] _handlers = [];

    public ChangeFeedDispatcher(ILogger logger)
    {
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    public void Enqueue(StateChange change) => _queue.Writer.TryWrite(change);

    public IDisposable Subscribe(Func<StateChange, Task> handler)
    {
        lock (_gate)
        {
            _handlers = [.. _handlers, handler];
        }
        return new Subscription(this, handler);
    }

    private void Unsubscribe(Func<StateChange, Task> handler)
    {
        lock (_gate)
        {
            _handlers = [.. _handlers.Where(h => h != handler)];
        }
    }

    private async Task RunAsync()
    {
        await foreach (var change in _queue.Reader.ReadAllAsync())
        {
            foreach (var handler in Volatile.Read(ref _handlers))
            {
                try
                {
                    await handler(change);
                }
                catch (Exception ex)
                {
                    LogHandlerFailed(_logger, ex, change.Topic);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A change-feed subscriber failed while handling a {Topic} change")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string topic);

    private sealed class Subscription(ChangeFeedDispatcher owner, Func<StateChange, Task> handler) : IDisposable
    {
        public void Dispose() => owner.Unsubscribe(handler);
    }
}

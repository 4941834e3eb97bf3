namespace Prynai.McpServer.State;

/// <summary>A hosted service that handles the store's change feed (every replica's changes) from start to stop.</summary>
internal abstract class ChangeFeedSubscriber(IStateStore store) : IHostedService
{
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = store.Subscribe(OnChangeAsync);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }

    protected abstract Task OnChangeAsync(StateChange change);
}

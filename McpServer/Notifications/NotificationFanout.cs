using Prynai.McpServer.State;

namespace Prynai.McpServer.Notifications;

/// <summary>
/// Turns the store's change feed (which reaches every replica) into MCP notifications for the clients whose streams
/// are on this replica, whatever kind of stream they hold (<see cref="INotificationTarget"/>).
/// </summary>
internal sealed class NotificationFanout(IStateStore store, IEnumerable<INotificationTarget> targets) : IHostedService
{
    private readonly INotificationTarget[] _targets = [.. targets];
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

    private async Task OnChangeAsync(StateChange change)
    {
        foreach (var target in _targets)
        {
            await (change.Topic switch
            {
                StateTopics.ResourceUpdated => target.ResourceUpdatedAsync(change.Subject),
                StateTopics.ListChanged => target.ListChangedAsync(change.Subject),
                Tasks.TaskNotifications.ChangedTopic => target.TaskChangedAsync(change.Subject),
                _ => Task.CompletedTask,
            });
        }
    }
}

using Prynai.McpServer.State;

namespace Prynai.McpServer.Notifications;

/// <summary>
/// Turns the store's change feed (which reaches every replica) into MCP notifications for the clients whose streams
/// are on this replica, whatever kind of stream they hold (<see cref="INotificationTarget"/>).
/// </summary>
internal sealed class NotificationFanout(IStateStore store, IEnumerable<INotificationTarget> targets) : ChangeFeedSubscriber(store)
{
    private readonly INotificationTarget[] _targets = [.. targets];

    protected override async Task OnChangeAsync(StateChange change)
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

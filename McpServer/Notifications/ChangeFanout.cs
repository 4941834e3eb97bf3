using System.Text.Json;
using ModelContextProtocol.Protocol;
using Prynai.McpServer.State;
using Prynai.McpServer.Transport;
using Prynai.McpServer.Transport.Sessions;

namespace Prynai.McpServer.Notifications;

/// <summary>
/// Turns the store's change feed (which reaches every replica) into MCP notifications for the clients whose
/// streams are on this replica: handshake sessions' GET streams (recorded for replay while open or recently cut), and
/// subscriptions/listen streams.
/// </summary>
internal sealed partial class ChangeFanout(
    IStateStore store,
    ResidentSessions sessions,
    SessionReplyRouter replies,
    ListenSubscriptions listeners,
    DirectSubscriptions direct,
    ILogger<ChangeFanout> logger) : IHostedService
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

    private async Task OnChangeAsync(StateChange change)
    {
        switch (change.Topic)
        {
            case StateTopics.ResourceUpdated:
                await NotifySessionsAsync(change.Subject);
                await NotifyDirectAsync(change.Subject);
                await listeners.NotifyResourceUpdatedAsync(change.Subject);
                break;
            case StateTopics.ListChanged:
                await NotifyListChangedAsync(change.Subject);
                await listeners.NotifyListChangedAsync(change.Subject);
                break;
            case StateTopics.SessionSubscriptionsChanged:
                await sessions.ReloadSubscriptionsAsync(change.Subject, CancellationToken.None);
                break;
            case StateTopics.SessionReply:
                await replies.DeliverAsync(change);
                break;
            case StateTopics.SessionRequestCancelled:
                await replies.DeliverCancellationAsync(change);
                break;
            case StateTopics.SessionEventsLogged when sessions.TryGet(change.Subject, out var logged):
                await logged.Events.CatchUpAsync();
                break;
            case StateTopics.SessionSurfaceChanged:
                sessions.AdoptSurface(change.Subject, Revisions.SurfaceFingerprint.Deserialize(change.Payload));
                break;
            case StateTopics.SessionEnded:
                await sessions.DropAsync(change.Subject);
                break;
            case StateTopics.SessionStreamOpened when long.TryParse(change.Payload, out var startId) && sessions.TryGet(change.Subject, out var streaming):
                await streaming.Events.YieldToAsync(startId);
                break;
            case Tasks.TaskNotifications.ChangedTopic:
                await listeners.NotifyTaskChangedAsync(change.Subject);
                break;
        }
    }

    private async Task NotifySessionsAsync(string uri)
    {
        foreach (var session in sessions.Sessions)
        {
            if (!session.HasGetStream || !session.Subscriptions.ContainsKey(uri))
            {
                continue;
            }
            try
            {
                await session.Events.DeliverAsync(Notification(NotificationMethods.ResourceUpdatedNotification,
                    JsonSerializer.SerializeToNode(new ResourceUpdatedNotificationParams { Uri = uri }, ResourceUpdatedTypeInfo)));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogDeliveryFailed(logger, ex, uri);
            }
        }
    }

    private async Task NotifyListChangedAsync(string method)
    {
        foreach (var session in sessions.Sessions.Where(session => session.HasGetStream))
        {
            try
            {
                await session.Events.DeliverAsync(Notification(method, null));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogDeliveryFailed(logger, ex, method);
            }
        }
    }

    private async Task NotifyDirectAsync(string uri)
    {
        foreach (var server in direct.SubscribersOf(uri))
        {
            try
            {
                await server.SendNotificationAsync(NotificationMethods.ResourceUpdatedNotification, new ResourceUpdatedNotificationParams { Uri = uri });
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogDeliveryFailed(logger, ex, uri);
            }
        }
    }

    private static readonly System.Text.Json.Serialization.Metadata.JsonTypeInfo ResourceUpdatedTypeInfo =
        ModelContextProtocol.McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ResourceUpdatedNotificationParams));

    private static JsonRpcNotification Notification(string method, System.Text.Json.Nodes.JsonNode? parameters) =>
        new() { Method = method, Params = parameters };

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not deliver an update of {Uri} to a session stream")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, string uri);
}

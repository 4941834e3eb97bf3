using System.Text.Json;
using ModelContextProtocol.Protocol;
using Prynai.McpServer.Notifications;

namespace Prynai.McpServer.Transport.Sessions;

/// <summary>
/// Notifications to the handshake sessions on this replica, on their GET streams (recorded for replay while a stream
/// is open or was recently cut, and before a new session's first stream): resource updates to the sessions that subscribed, list changes to all.
/// </summary>
internal sealed partial class SessionStreamNotifications(ResidentSessions sessions, ILogger<SessionStreamNotifications> logger) : INotificationTarget
{
    private static readonly System.Text.Json.Serialization.Metadata.JsonTypeInfo ResourceUpdatedTypeInfo =
        ModelContextProtocol.McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ResourceUpdatedNotificationParams));

    public Task ResourceUpdatedAsync(string uri) =>
        DeliverAsync(session => session.Subscriptions.ContainsKey(uri), NotificationMethods.ResourceUpdatedNotification,
            () => JsonSerializer.SerializeToNode(new ResourceUpdatedNotificationParams { Uri = uri }, ResourceUpdatedTypeInfo), uri);

    public Task ListChangedAsync(string method) => DeliverAsync(_ => true, method, () => null, method);

    private async Task DeliverAsync(Func<HandshakeSession, bool> wants, string method, Func<System.Text.Json.Nodes.JsonNode?> parameters, string subject)
    {
        foreach (var session in sessions.Sessions)
        {
            if (!session.Events.IsRecording || !wants(session))
            {
                continue;
            }
            try
            {
                await session.Events.DeliverAsync(new JsonRpcNotification { Method = method, Params = parameters() });
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogDeliveryFailed(logger, ex, subject);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not deliver {Subject} to a session stream")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, string subject);
}

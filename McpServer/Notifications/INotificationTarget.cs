namespace Prynai.McpServer.Notifications;

/// <summary>
/// A kind of stream this replica's clients receive notifications on: subscriptions/listen streams, handshake sessions'
/// GET streams, stdio connections. <see cref="NotificationFanout"/> hands every change of the store's feed to each.
/// </summary>
internal interface INotificationTarget
{
    /// <summary>A resource's content changed.</summary>
    Task ResourceUpdatedAsync(string uri);

    /// <summary>A list changed; <paramref name="method"/> is the notification to send (e.g. notifications/tools/list_changed).</summary>
    Task ListChangedAsync(string method);

    /// <summary>A task changed (only subscriptions/listen streams follow tasks).</summary>
    Task TaskChangedAsync(string taskId) => Task.CompletedTask;
}

using System.Collections.Concurrent;
using ModelContextProtocol.Protocol;
using ProtocolServer = ModelContextProtocol.Server.McpServer;

namespace Prynai.McpServer.Notifications;

/// <summary>
/// resources/subscribe from a connection that is not an HTTP session (stdio): the subscription lives with that
/// server instance in this process.
/// </summary>
internal sealed partial class DirectSubscriptions(ILogger<DirectSubscriptions> logger) : INotificationTarget
{
    private readonly ConcurrentDictionary<ProtocolServer, ConcurrentDictionary<string, byte>> _byServer = new();

    public void Add(ProtocolServer server, string uri) =>
        _byServer.GetOrAdd(server, _ => new(StringComparer.Ordinal)).TryAdd(uri, 0);

    public void Remove(ProtocolServer server, string uri)
    {
        if (_byServer.TryGetValue(server, out var uris))
        {
            uris.TryRemove(uri, out _);
        }
    }

    public IEnumerable<ProtocolServer> SubscribersOf(string uri) =>
        _byServer.Where(entry => entry.Value.ContainsKey(uri)).Select(entry => entry.Key);

    public async Task ResourceUpdatedAsync(string uri)
    {
        foreach (var server in SubscribersOf(uri))
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

    /// <summary>List changes reach a connection without a session through its server's own notifications, not here.</summary>
    public Task ListChangedAsync(string method) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not deliver an update of {Uri} to a connection")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, string uri);
}

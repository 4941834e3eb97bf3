using System.Collections.Concurrent;
using ProtocolServer = ModelContextProtocol.Server.McpServer;

namespace Prynai.McpServer.Notifications;

/// <summary>
/// resources/subscribe from a connection that is not an HTTP session (stdio): the subscription lives with that
/// server instance in this process.
/// </summary>
public sealed class DirectSubscriptions
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
}

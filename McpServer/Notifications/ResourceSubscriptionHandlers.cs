using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Prynai.McpServer.Transport;
using Prynai.McpServer.Transport.Sessions;
using ProtocolServer = ModelContextProtocol.Server.McpServer;

namespace Prynai.McpServer.Notifications;

/// <summary>
/// resources/subscribe and resources/unsubscribe: HTTP sessions keep them in the shared session record, other
/// connections (stdio) with their server instance.
/// </summary>
internal sealed class ResourceSubscriptionHandlers(DirectSubscriptions direct, ResourceCatalog resources, ResidentSessions? sessions = null)
{
    public async ValueTask<EmptyResult> SubscribeAsync(RequestContext<SubscribeRequestParams> request, CancellationToken cancellationToken)
    {
        var uri = Validate(request.Params?.Uri);
        if (FindSession(request.Server.SessionId) is { } session)
        {
            await sessions!.AddSubscriptionAsync(session, uri, cancellationToken);
        }
        else
        {
            direct.Add(ConnectionServer(request), uri);
        }
        return new EmptyResult();
    }

    public async ValueTask<EmptyResult> UnsubscribeAsync(RequestContext<UnsubscribeRequestParams> request, CancellationToken cancellationToken)
    {
        var uri = Validate(request.Params?.Uri);
        if (FindSession(request.Server.SessionId) is { } session)
        {
            await sessions!.RemoveSubscriptionAsync(session, uri, cancellationToken);
        }
        else
        {
            direct.Remove(ConnectionServer(request), uri);
        }
        return new EmptyResult();
    }

    /// <summary>
    /// The connection's own server: a request handler sees a per-request wrapper, but the stdio host registers the
    /// one server of its connection in DI, which subscribe and unsubscribe must both name.
    /// </summary>
    private static ProtocolServer ConnectionServer(MessageContext request) =>
        request.Services?.GetService<ProtocolServer>() ?? request.Server;

    private HandshakeSession? FindSession(string? sessionId) =>
        sessionId is not null && sessions is not null && sessions.TryGet(sessionId, out var session) ? session : null;

    private string Validate(string? uri)
    {
        if (string.IsNullOrEmpty(uri))
        {
            throw new McpProtocolException("Missing required parameter 'uri'.", McpErrorCode.InvalidParams);
        }
        if (!resources.Exists(uri))
        {
            throw new McpProtocolException($"Resource not found: {uri}", McpErrorCode.ResourceNotFound);
        }
        return uri;
    }
}

using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Prynai.McpServer.Transport;

namespace Prynai.McpServer.Notifications;

/// <summary>
/// resources/subscribe and resources/unsubscribe: HTTP sessions keep them in the shared session record, other
/// connections (stdio) with their server instance.
/// </summary>
internal sealed class ResourceSubscriptionHandlers(SessionTable sessions, DirectSubscriptions direct, ResourceCatalog resources)
{
    public async ValueTask<EmptyResult> SubscribeAsync(RequestContext<SubscribeRequestParams> request, CancellationToken cancellationToken)
    {
        var uri = Validate(request.Params?.Uri);
        if (FindSession(request.Server.SessionId) is { } session)
        {
            await sessions.AddSubscriptionAsync(session, uri, cancellationToken);
        }
        else
        {
            direct.Add(request.Server, uri);
        }
        return new EmptyResult();
    }

    public async ValueTask<EmptyResult> UnsubscribeAsync(RequestContext<UnsubscribeRequestParams> request, CancellationToken cancellationToken)
    {
        var uri = Validate(request.Params?.Uri);
        if (FindSession(request.Server.SessionId) is { } session)
        {
            await sessions.RemoveSubscriptionAsync(session, uri, cancellationToken);
        }
        else
        {
            direct.Remove(request.Server, uri);
        }
        return new EmptyResult();
    }

    private LegacySession? FindSession(string? sessionId) =>
        sessionId is not null && sessions.TryGet(sessionId, out var session) ? session : null;

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

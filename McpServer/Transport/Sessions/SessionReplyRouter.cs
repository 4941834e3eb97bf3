using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Prynai.McpServer.State;

namespace Prynai.McpServer.Transport.Sessions;

/// <summary>
/// Without sticky sessions, a client's message about an earlier request can reach a replica other than the one the
/// request is on. The client's answer to a server-initiated request (sampling, elicitation): this remembers which
/// requests this replica sent; an answer to one it did not send is forwarded through the store's change feed to every
/// replica, and the one that sent it takes it. A <c>notifications/cancelled</c> for a request this replica is not
/// answering goes the same way, to the replica that is.
/// </summary>
internal sealed partial class SessionReplyRouter(IStateStore store, ResidentSessions sessions, TimeProvider time, ILogger<SessionReplyRouter> logger)
{
    private static readonly TimeSpan AbandonedAfter = TimeSpan.FromHours(1);
    private readonly ConcurrentDictionary<(string Session, string Request), long> _awaiting = new();

    /// <summary>Outgoing message filter: notes each request a session's server sends to its client.</summary>
    public static McpMessageHandler TrackOutgoing(McpMessageHandler next) => (context, cancellationToken) =>
    {
        if (context.JsonRpcMessage is JsonRpcRequest request && context.Server.SessionId is { } session &&
            context.Server.Services?.GetService<SessionReplyRouter>() is { } router)
        {
            router.Track(session, request);
        }
        return next(context, cancellationToken);
    };

    private void Track(string sessionId, JsonRpcRequest request) => _awaiting[(sessionId, request.Id.ToString())] = time.GetTimestamp();

    /// <summary>True when this replica sent the request <paramref name="reply"/> answers (and stops waiting for it).</summary>
    public bool IsAwaitedHere(string sessionId, JsonRpcMessageWithId reply) => _awaiting.TryRemove((sessionId, reply.Id.ToString()), out _);

    public Task ForwardAsync(string sessionId, JsonRpcMessageWithId reply, CancellationToken cancellationToken) =>
        store.PublishAsync(new StateChange(StateTopics.SessionReply, sessionId,
            JsonSerializer.Serialize<JsonRpcMessage>(reply, JsonRpcHttpResponses.MessageTypeInfo)), cancellationToken);

    /// <summary>A forwarded reply: delivered to the local session if this replica is the one awaiting it.</summary>
    public async Task DeliverAsync(StateChange change)
    {
        if (change.Payload is null ||
            JsonSerializer.Deserialize(change.Payload, JsonRpcHttpResponses.MessageTypeInfo) is not JsonRpcMessageWithId reply ||
            !IsAwaitedHere(change.Subject, reply) ||
            !sessions.TryGet(change.Subject, out var session))
        {
            return;
        }
        await session.Transport.HandlePostRequestAsync(reply, Stream.Null, CancellationToken.None);
        LogDelivered(logger);
    }

    /// <summary>
    /// The client cancelled one of its requests (the session's SDK server, which has the notification already, stops
    /// the handler if it runs here): the request's stream ends here, or on the replica answering it.
    /// </summary>
    public async Task EndCancelledRequestAsync(HandshakeSession session, JsonRpcNotification cancelled, CancellationToken cancellationToken)
    {
        if (CancelledRequest(cancelled) is not { } id || session.EndCancelledRequest(id))
        {
            return;
        }
        try
        {
            await store.PublishAsync(new StateChange(StateTopics.SessionRequestCancelled, session.Id,
                JsonSerializer.Serialize<JsonRpcMessage>(cancelled, JsonRpcHttpResponses.MessageTypeInfo)), cancellationToken);
        }
        catch (StateStoreUnavailableException ex)
        {
            LogCancellationNotForwarded(logger, ex.Message);
        }
    }

    /// <summary>A cancellation forwarded by another replica: taken when this replica answers the request.</summary>
    public async Task DeliverCancellationAsync(StateChange change)
    {
        if (change.Payload is null ||
            JsonSerializer.Deserialize(change.Payload, JsonRpcHttpResponses.MessageTypeInfo) is not JsonRpcNotification cancelled ||
            CancelledRequest(cancelled) is not { } id ||
            !sessions.TryGet(change.Subject, out var session) || !session.IsAnswering(id))
        {
            return;
        }
        await session.Transport.HandlePostRequestAsync(cancelled, Stream.Null, CancellationToken.None);
        session.EndCancelledRequest(id);
        LogCancellationDelivered(logger);
    }

    /// <summary>The id a cancellation names; null for one whose params are not as the spec writes them (nothing to end).</summary>
    private static RequestId? CancelledRequest(JsonRpcNotification cancelled) =>
        cancelled.Params is JsonObject { } parameters && parameters["requestId"] is JsonValue id
            ? id.TryGetValue(out string? text) ? new RequestId(text)
            : id.GetValueKind() == JsonValueKind.Number && id.TryGetValue(out long number) ? new RequestId(number)
            : null
            : null;

    /// <summary>Forgets requests whose answer never came (the client left).</summary>
    public void ForgetAbandoned()
    {
        foreach (var (key, sent) in _awaiting)
        {
            if (time.GetElapsedTime(sent) > AbandonedAfter)
            {
                _awaiting.TryRemove(key, out _);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Delivered a cancellation forwarded by another replica")]
    private static partial void LogCancellationDelivered(ILogger logger);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not forward a cancellation to the other replicas: {Reason}")]
    private static partial void LogCancellationNotForwarded(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Delivered a client reply forwarded by another replica")]
    private static partial void LogDelivered(ILogger logger);
}

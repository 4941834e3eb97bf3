using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using Prynai.McpServer.Security;
using Prynai.McpServer.State;

namespace Prynai.McpServer.Transport.Sessions;

/// <summary>
/// The handshake revisions' requests (2025-03-26 to 2025-11-25): initialize starts a session (Mcp-Session-Id),
/// every later POST names it and is answered on its own event stream, GET opens the session's notification stream,
/// DELETE ends it. Only the session's owner may use it.
/// </summary>
internal sealed partial class SessionRequests(
    ResidentSessions sessions,
    SessionReplyRouter replies,
    SessionMoves moves,
    IOptions<McpTransportOptions> options,
    Drain.ReplicaDrain drain,
    ILogger<SessionRequests> logger)
{
    /// <summary>A POST whose params already passed; <paramref name="sessionId"/> is empty for an initialize.</summary>
    public async Task PostAsync(HttpContext context, JsonRpcMessage message, string? headerVersion, string sessionId, RequestId requestId)
    {
        var begun = sessionId.Length == 0
            ? await StartAsync(context, message, requestId)
            : await BeginRequestAsync(context, sessionId, requestId);
        if (begun is not var (session, scope))
        {
            return;
        }
        using (scope)
        {
            context.Response.Headers[McpHttpHeaders.SessionId] = session.Id;
            if (message is JsonRpcMessageWithId answer and not JsonRpcRequest && !replies.IsAwaitedHere(session.Id, answer))
            {
                // An answer to a request another replica sent: hand it over and acknowledge.
                await replies.ForwardAsync(session.Id, answer, context.RequestAborted);
                context.Response.StatusCode = StatusCodes.Status202Accepted;
                return;
            }
            await ServeAsync(context, session, message, headerVersion, isInitialize: sessionId.Length == 0);
        }
        if (sessionId.Length > 0)
        {
            _ = sessions.RefreshRecordIfDueAsync(session, CancellationToken.None);
        }
    }

    /// <summary>After the endpoint's route and Accept checks: the session's notification stream, resumed after Last-Event-ID.</summary>
    public async Task GetAsync(HttpContext context)
    {
        if (!SessionStreamRequests.TryReadLastEventId(context.Request, out var lastEventId))
        {
            await JsonRpcHttpResponses.WriteErrorAsync(context, StatusCodes.Status400BadRequest, McpErrorCode.InvalidRequest,
                "Bad Request: Last-Event-ID must be the id of an event this server sent on the session's GET stream (a decimal number).");
            return;
        }
        // A GET stream counts as a request in flight: the session stays in memory (and cannot park) while it streams.
        if (await BeginRequestAsync(context, SessionIdOf(context), default) is not var (session, scope))
        {
            return;
        }
        using (scope)
        {
            await SessionStreamRequests.ServeAsync(context, session, lastEventId, drain, logger);
        }
    }

    public async Task DeleteAsync(HttpContext context)
    {
        if (await FindAsync(context, SessionIdOf(context), default) is not { } session)
        {
            return;
        }
        await sessions.EndAsync(session, context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    /// <summary>
    /// The session revisions answer on an event stream, as they always have (the 0.1.16 conformance suite scores SSE
    /// streams on sessions; 2026-07-28's single answers are plain JSON).
    /// </summary>
    private async Task ServeAsync(HttpContext context, HandshakeSession session, JsonRpcMessage message, string? headerVersion, bool isInitialize)
    {
        HttpMessageContext.Attach(context, message, headerVersion);
        JsonRpcHttpResponses.StartEventStream(context);
        if (isInitialize)
        {
            await InitializeAsync(context, session, message);
        }
        else if (message is JsonRpcRequest request)
        {
            await AnswerAsync(context, session, request);
        }
        else
        {
            await session.Transport.HandlePostRequestAsync(message, Stream.Null, context.RequestAborted);
            JsonRpcHttpResponses.Accepted(context);
            if (message is JsonRpcNotification { Method: NotificationMethods.CancelledNotification } cancelled)
            {
                await replies.EndCancelledRequestAsync(session, cancelled, context.RequestAborted);
            }
        }
    }

    /// <summary>A new session for an initialize, or null after answering 400 (not an initialize) or 503 (full).</summary>
    private async Task<(HandshakeSession Session, HandshakeSession.RequestScope Scope)?> StartAsync(HttpContext context, JsonRpcMessage message, RequestId requestId)
    {
        if (message is not JsonRpcRequest { Method: RequestMethods.Initialize })
        {
            await JsonRpcHttpResponses.WriteErrorAsync(context, StatusCodes.Status400BadRequest, McpErrorCode.InvalidRequest,
                "Bad Request: no Mcp-Session-Id header. Start a session with an initialize request, " +
                $"or use protocol {ProtocolRevisions.V2026_07_28} (MCP-Protocol-Version header and params._meta) without a session.", requestId);
            return null;
        }
        if (sessions.Create(CallerIdentity.Of(context.User)) is not { } session)
        {
            context.Response.Headers.RetryAfter = "30";
            await JsonRpcHttpResponses.WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, JsonRpcHttpResponses.ServerErrorCode,
                $"This server already holds its maximum of {options.Value.MaxSessions} sessions; retry later or end unused sessions with DELETE.", requestId);
            return null;
        }
        session.TryBeginRequest(out var scope);
        return (session, scope);
    }

    /// <summary>
    /// A request on a session, answered on the POST's event stream. The stream ends with the answer — or at once when
    /// the client cancels the request (<c>notifications/cancelled</c>: no answer follows, as the spec asks) or its
    /// session ends meanwhile (DELETE, expiry): then the response simply ends where it got to, never as an error or a
    /// reset connection.
    /// </summary>
    private static async Task AnswerAsync(HttpContext context, HandshakeSession session, JsonRpcRequest request)
    {
        using var inFlight = session.TrackRequest(request.Id, context.RequestAborted);
        try
        {
            await session.Transport.HandlePostRequestAsync(request, context.Response.Body, inFlight.Token);
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Runs the initialize that created <paramref name="session"/>. A session exists only once its initialize
    /// succeeded: when the handshake fails (an error answer, an exception, the client gone) the session ends at once,
    /// so a failed initialize leaves nothing behind to count against <see cref="McpTransportOptions.MaxSessions"/>, and
    /// its answer carries no session id. The answer is small, so it is held until the outcome is known.
    /// </summary>
    private async Task InitializeAsync(HttpContext context, HandshakeSession session, JsonRpcMessage message)
    {
        var succeeded = false;
        try
        {
            using var answer = new MemoryStream();
            await session.Transport.HandlePostRequestAsync(message, answer, context.RequestAborted);
            // The SDK negotiates a version only when the handshake succeeds.
            succeeded = session.Initialize is not null && session.Server.NegotiatedProtocolVersion is not null;
            if (!succeeded)
            {
                context.Response.Headers.Remove(McpHttpHeaders.SessionId);
            }
            answer.Position = 0;
            await answer.CopyToAsync(context.Response.Body, context.RequestAborted);
        }
        finally
        {
            if (!succeeded)
            {
                await sessions.EndAsync(session, CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// The session with a request begun on it, or null after answering why not. A copy that is leaving memory at that
    /// moment is looked up again, which restores it from its record.
    /// </summary>
    private async Task<(HandshakeSession Session, HandshakeSession.RequestScope Scope)?> BeginRequestAsync(HttpContext context, string sessionId, RequestId requestId)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            if (await FindAsync(context, sessionId, requestId) is not { } session)
            {
                return null;
            }
            if (session.TryBeginRequest(out var scope))
            {
                try
                {
                    await moves.AnnounceIfMovedAsync(session);
                }
                catch
                {
                    scope.Dispose();
                    throw;
                }
                return (session, scope);
            }
            await Task.Delay(5, context.RequestAborted);
        }
        context.Response.Headers.RetryAfter = "1";
        await JsonRpcHttpResponses.WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, JsonRpcHttpResponses.ServerErrorCode,
            "The session is being moved; retry shortly.", requestId);
        return null;
    }

    /// <summary>The caller's own session, or null after answering 503 (store down), 404 (unknown) or 403 (another identity's).</summary>
    private async Task<HandshakeSession?> FindAsync(HttpContext context, string sessionId, RequestId requestId)
    {
        HandshakeSession? session;
        try
        {
            session = await sessions.FindAsync(sessionId, context.RequestAborted);
        }
        catch (StateStoreUnavailableException ex)
        {
            LogSessionLookupFailed(logger, ex);
            context.Response.Headers.RetryAfter = "5";
            await JsonRpcHttpResponses.WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, JsonRpcHttpResponses.ServerErrorCode,
                "The session store is unavailable; retry shortly.", requestId);
            return null;
        }

        if (session is null)
        {
            await JsonRpcHttpResponses.WriteErrorAsync(context, StatusCodes.Status404NotFound, JsonRpcHttpResponses.SessionNotFoundCode,
                "Session not found: it ended, expired or never existed. Start a new one with initialize.", requestId);
            return null;
        }
        if (!string.Equals(session.OwnerId, CallerIdentity.Of(context.User), StringComparison.Ordinal))
        {
            await JsonRpcHttpResponses.WriteErrorAsync(context, StatusCodes.Status403Forbidden, JsonRpcHttpResponses.ServerErrorCode,
                "Forbidden: this session belongs to another identity.", requestId);
            return null;
        }
        return session;
    }

    private static string SessionIdOf(HttpContext context) => context.Request.Headers[McpHttpHeaders.SessionId].ToString();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not look up a session in the shared store")]
    private static partial void LogSessionLookupFailed(ILogger logger, Exception exception);
}

using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Prynai.McpServer.Security;
using Prynai.McpServer.State;
using Prynai.McpServer.Transport.Sessions;
using Prynai.McpServer.Transport.Stateless;
using Prynai.McpServer.Transport.Validation;
using ProtocolServer = ModelContextProtocol.Server.McpServer;

namespace Prynai.McpServer.Transport;

/// <summary>
/// Streamable HTTP on one endpoint for both protocol generations. Stands in for ModelContextProtocol.AspNetCore's
/// <c>MapMcp()</c>, which this build cannot restore: 2026-07-28 requests are served statelessly by pooled SDK servers
/// (<see cref="StatelessServerPool"/>); initialize-handshake requests get a session (<see cref="ResidentSessions"/>).
/// </summary>
internal sealed partial class StreamableHttpEndpoint(
    ResidentSessions sessions,
    SessionReplyRouter replies,
    SessionMoves moves,
    StatelessServerOptions statelessOptions,
    StatelessServerPool statelessServers,
    IOptions<McpTransportOptions> options,
    Drain.ReplicaDrain drain,
    ILoggerFactory loggerFactory)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static readonly MediaTypeHeaderValue EventStream = new("text/event-stream");
    private readonly ILogger _logger = loggerFactory.CreateLogger<StreamableHttpEndpoint>();

    public async Task PostAsync(HttpContext context)
    {
        var request = context.Request;
        if (!IsJsonContentType(request.ContentType))
        {
            await JsonRpcHttpResponses.WriteErrorAsync(context, StatusCodes.Status415UnsupportedMediaType, McpErrorCode.InvalidRequest,
                "Unsupported Media Type: the body must be a JSON-RPC message with Content-Type: application/json.");
            return;
        }
        if (!Accepts(request, Json, HeaderVerdicts.AcceptsJson) || !Accepts(request, EventStream, HeaderVerdicts.AcceptsEventStream))
        {
            await JsonRpcHttpResponses.WriteErrorAsync(context, StatusCodes.Status406NotAcceptable, McpErrorCode.InvalidRequest,
                "Not Acceptable: the Accept header must allow both application/json and text/event-stream.");
            return;
        }

        var read = await JsonRpcRequestReader.ReadAsync(request, options.Value.MaxRequestBodyBytes, context.RequestAborted);
        if (read.Message is not { } message)
        {
            await JsonRpcHttpResponses.WriteErrorAsync(context, read.StatusCode, read.ErrorCode, read.Error!, read.Id);
            return;
        }

        var requestId = message is JsonRpcRequest jsonRpcRequest ? jsonRpcRequest.Id : default;
        var headerVersion = HeaderVersion(request);
        var sessionId = request.Headers[McpHttpHeaders.SessionId].ToString();
        var isInitialize = message is JsonRpcRequest { Method: RequestMethods.Initialize };
        var perRequestMetadata = ProtocolRevisions.UsesPerRequestMetadata(headerVersion)
            || ProtocolRevisions.UsesPerRequestMetadata(PerRequestMetadataValidator.MetaProtocolVersion(message));

        if (headerVersion is not null && !ProtocolRevisions.IsSupported(headerVersion))
        {
            var wire = isInitialize || sessionId.Length > 0 ? ProtocolRevisions.SessionRevisions : ProtocolRevisions.PerRequestMetadataRevisions;
            await WriteUnsupportedVersionAsync(context, headerVersion, wire, requestId);
            return;
        }

        if (perRequestMetadata)
        {
            // Params first (a name that is not a string cannot match its Mcp-Name header either, and -32602 says why),
            // unless the method is one this revision removed: that is a 404 whatever the params.
            if (!PerRequestMetadataValidator.IsRemovedMethod(message) && await RefuseInvalidParamsAsync(context, message, perRequestMetadata, requestId))
            {
                return;
            }
            if (PerRequestMetadataValidator.Validate(request, message, headerVersion, statelessOptions.Pooled.ToolCollection) is { } invalid)
            {
                await JsonRpcHttpResponses.WriteErrorAsync(context, invalid.Status, invalid.Code, invalid.Message, requestId);
                return;
            }
            if (message is JsonRpcRequest { Method: RequestMethods.SubscriptionsListen })
            {
                // A listen stream stays open as long as the client wants: it gets a server of its own.
                await ServeStatelessAsync(context, message, headerVersion, mapErrorsToStatus: true);
            }
            else
            {
                await ServePooledAsync(context, message, headerVersion);
            }
            return;
        }

        if (await RefuseInvalidParamsAsync(context, message, perRequestMetadata, requestId))
        {
            return;
        }

        if (options.Value.StatelessOnly)
        {
            if (sessionId.Length > 0)
            {
                await JsonRpcHttpResponses.WriteErrorAsync(context, StatusCodes.Status400BadRequest, McpErrorCode.InvalidRequest,
                    "This server runs without sessions: send requests without an Mcp-Session-Id header.", requestId);
                return;
            }
            await ServeStatelessAsync(context, message, headerVersion, mapErrorsToStatus: false);
            return;
        }

        HandshakeSession? session;
        HandshakeSession.RequestScope scope;
        if (sessionId.Length == 0)
        {
            if (!isInitialize)
            {
                await JsonRpcHttpResponses.WriteErrorAsync(context, StatusCodes.Status400BadRequest, McpErrorCode.InvalidRequest,
                    "Bad Request: no Mcp-Session-Id header. Start a session with an initialize request, " +
                    $"or use protocol {ProtocolRevisions.V2026_07_28} (MCP-Protocol-Version header and params._meta) without a session.", requestId);
                return;
            }
            session = sessions.Create(CallerIdentity.Of(context.User));
            if (session is null)
            {
                context.Response.Headers.RetryAfter = "30";
                await JsonRpcHttpResponses.WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, JsonRpcHttpResponses.ServerErrorCode,
                    $"This server already holds its maximum of {options.Value.MaxSessions} sessions; retry later or end unused sessions with DELETE.", requestId);
                return;
            }
            session.TryBeginRequest(out scope);
        }
        else if (await BeginSessionRequestAsync(context, sessionId, requestId) is { } begun)
        {
            (session, scope) = begun;
        }
        else
        {
            return;
        }

        using (scope)
        {
            if (message is JsonRpcMessageWithId and not JsonRpcRequest && !replies.IsAwaitedHere(session.Id, (JsonRpcMessageWithId)message))
            {
                // An answer to a request another replica sent: hand it over and acknowledge.
                await replies.ForwardAsync(session.Id, (JsonRpcMessageWithId)message, context.RequestAborted);
                context.Response.Headers[McpHttpHeaders.SessionId] = session.Id;
                context.Response.StatusCode = StatusCodes.Status202Accepted;
                return;
            }

            context.Response.Headers[McpHttpHeaders.SessionId] = session.Id;
            Attach(context, message, headerVersion);
            // The session revisions keep answering on an event stream, as they always have (the 0.1.16 conformance
            // suite scores SSE streams on sessions; 2026-07-28's single answers are plain JSON).
            JsonRpcHttpResponses.StartEventStream(context);
            if (isInitialize && sessionId.Length == 0)
            {
                await InitializeAsync(context, session, message);
                return;
            }
            if (message is JsonRpcRequest sessionRequest)
            {
                await AnswerOnSessionAsync(context, session, sessionRequest);
            }
            else
            {
                await session.Transport.HandlePostRequestAsync(message, Stream.Null, context.RequestAborted);
                Accepted(context);
                if (message is JsonRpcNotification { Method: NotificationMethods.CancelledNotification } cancelled)
                {
                    await replies.EndCancelledRequestAsync(session, cancelled, context.RequestAborted);
                }
            }
        }
        _ = sessions.RefreshRecordIfDueAsync(session, CancellationToken.None);
    }

    /// <summary>
    /// A request on a session, answered on the POST's event stream. The stream ends with the answer — or at once when
    /// the client cancels the request (<c>notifications/cancelled</c>: no answer follows, as the spec asks) or its
    /// session ends meanwhile (DELETE, expiry): then the response simply ends where it got to, never as an error or a
    /// reset connection.
    /// </summary>
    private static async Task AnswerOnSessionAsync(HttpContext context, HandshakeSession session, JsonRpcRequest request)
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
    /// Params the SDK could not bind are refused before anything is served (no session is created): 400 on the
    /// revision that maps errors to statuses, the JSON-RPC error alone (as the SDK itself answers) on the session revisions.
    /// </summary>
    private static async Task<bool> RefuseInvalidParamsAsync(HttpContext context, JsonRpcMessage message, bool perRequestMetadata, RequestId requestId)
    {
        if (RequestParamsValidator.Validate(message, perRequestMetadata) is not { } invalidParams)
        {
            return false;
        }
        await JsonRpcHttpResponses.WriteErrorAsync(context, perRequestMetadata ? StatusCodes.Status400BadRequest : StatusCodes.Status200OK,
            McpErrorCode.InvalidParams, invalidParams, requestId);
        return true;
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

    public async Task GetAsync(HttpContext context)
    {
        if (await RefuseSessionRouteAsync(context))
        {
            return;
        }
        if (!Accepts(context.Request, EventStream, HeaderVerdicts.AcceptsEventStream))
        {
            await JsonRpcHttpResponses.WriteErrorAsync(context, StatusCodes.Status406NotAcceptable, McpErrorCode.InvalidRequest,
                "Not Acceptable: the Accept header must allow text/event-stream.");
            return;
        }
        if (!SessionStreamRequests.TryReadLastEventId(context.Request, out var lastEventId))
        {
            await JsonRpcHttpResponses.WriteErrorAsync(context, StatusCodes.Status400BadRequest, McpErrorCode.InvalidRequest,
                "Bad Request: Last-Event-ID must be the id of an event this server sent on the session's GET stream (a decimal number).");
            return;
        }
        // A GET stream counts as a request in flight: the session stays in memory (and cannot park) while it streams.
        if (await BeginSessionRequestAsync(context, context.Request.Headers[McpHttpHeaders.SessionId].ToString(), default) is not var (session, scope))
        {
            return;
        }
        using (scope)
        {
            await SessionStreamRequests.ServeAsync(context, session, lastEventId, drain, _logger);
        }
    }

    public async Task DeleteAsync(HttpContext context)
    {
        if (await RefuseSessionRouteAsync(context))
        {
            return;
        }
        if (await FindSessionAsync(context, context.Request.Headers[McpHttpHeaders.SessionId].ToString(), default) is not { } session)
        {
            return;
        }
        await sessions.EndAsync(session, context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    /// <summary>GET and DELETE exist only for session revisions; answers 405 (or 400 without a session id) otherwise.</summary>
    private async Task<bool> RefuseSessionRouteAsync(HttpContext context)
    {
        var headerVersion = HeaderVersion(context.Request);
        if (headerVersion is not null && !ProtocolRevisions.IsSupported(headerVersion))
        {
            await WriteUnsupportedVersionAsync(context, headerVersion, ProtocolRevisions.SessionRevisions, default);
            return true;
        }
        if (options.Value.StatelessOnly || ProtocolRevisions.UsesPerRequestMetadata(headerVersion))
        {
            context.Response.Headers.Allow = HttpMethods.Post;
            await JsonRpcHttpResponses.WriteErrorAsync(context, StatusCodes.Status405MethodNotAllowed, McpErrorCode.InvalidRequest,
                options.Value.StatelessOnly
                    ? $"Method Not Allowed: this server runs without sessions; only POST is served."
                    : $"Method Not Allowed: protocol {headerVersion} has no sessions; use POST (subscriptions/listen for notifications).");
            return true;
        }
        if (context.Request.Headers[McpHttpHeaders.SessionId].ToString().Length == 0)
        {
            await JsonRpcHttpResponses.WriteErrorAsync(context, StatusCodes.Status400BadRequest, McpErrorCode.InvalidRequest,
                $"Bad Request: {context.Request.Method} needs the Mcp-Session-Id header of a session started with initialize.");
            return true;
        }
        return false;
    }

    /// <summary>
    /// The session with a request begun on it, or null after answering why not. A copy that is leaving memory at that
    /// moment is looked up again, which restores it from its record.
    /// </summary>
    private async Task<(HandshakeSession Session, HandshakeSession.RequestScope Scope)?> BeginSessionRequestAsync(HttpContext context, string sessionId, RequestId requestId)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            if (await FindSessionAsync(context, sessionId, requestId) is not { } session)
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

    private async Task<HandshakeSession?> FindSessionAsync(HttpContext context, string sessionId, RequestId requestId)
    {
        HandshakeSession? session;
        try
        {
            session = await sessions.FindAsync(sessionId, context.RequestAborted);
        }
        catch (StateStoreUnavailableException ex)
        {
            LogSessionLookupFailed(_logger, ex);
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

    private async Task ServePooledAsync(HttpContext context, JsonRpcMessage message, string? headerVersion)
    {
        var server = statelessServers.Rent();
        var reusable = false;
        try
        {
            Attach(context, message, headerVersion);
            ClientDisconnect.Attach(message, context.RequestAborted);
            var response = new SingleMessageResponse(context, mapErrorsToStatus: true);
            await server.Transport.HandlePostRequestAsync(message, response, context.RequestAborted);
            if (!await response.CompleteAsync(context.RequestAborted))
            {
                Accepted(context);
            }
            reusable = !context.RequestAborted.IsCancellationRequested;
        }
        finally
        {
            await statelessServers.ReturnAsync(server, reusable);
        }
    }

    private async Task ServeStatelessAsync(HttpContext context, JsonRpcMessage message, string? headerVersion, bool mapErrorsToStatus)
    {
        var transport = new StreamableHttpServerTransport(loggerFactory) { Stateless = true };
        var server = ProtocolServer.Create(transport, statelessOptions.PerRequest, loggerFactory, context.RequestServices);
        var run = server.RunAsync(context.RequestAborted);
        try
        {
            Attach(context, message, headerVersion);
            ClientDisconnect.Attach(message, context.RequestAborted);
            var response = new SingleMessageResponse(context, mapErrorsToStatus);
            await transport.HandlePostRequestAsync(message, response, context.RequestAborted);
            if (!await response.CompleteAsync(context.RequestAborted))
            {
                Accepted(context);
            }
        }
        finally
        {
            await transport.DisposeAsync();
            try
            {
                await run;
            }
            catch (OperationCanceledException)
            {
            }
            await server.DisposeAsync();
        }
    }

    private static void Attach(HttpContext context, JsonRpcMessage message, string? headerVersion)
    {
        message.Context ??= new JsonRpcMessageContext();
        if (context.User.Identity?.IsAuthenticated == true)
        {
            message.Context.User = context.User;
        }
        if (headerVersion is not null)
        {
            message.Context.ProtocolVersion = headerVersion;
        }
    }

    private static void Accepted(HttpContext context)
    {
        context.Response.Headers.ContentType = default;
        context.Response.Headers.CacheControl = default;
        context.Response.Headers.ContentEncoding = default;
        context.Response.StatusCode = StatusCodes.Status202Accepted;
    }

    private static string? HeaderVersion(HttpRequest request) =>
        request.Headers[McpHttpHeaders.ProtocolVersion].ToString() is { Length: > 0 } version ? version.Trim() : null;

    /// <summary>No Accept header means anything is acceptable (RFC 9110 §12.5.1); wildcards count.</summary>
    private static bool Accepts(HttpRequest request, MediaTypeHeaderValue mediaType, System.Collections.Concurrent.ConcurrentDictionary<string, bool> verdicts)
    {
        var header = request.Headers.Accept.ToString();
        return header.Length == 0 || HeaderVerdicts.Get(verdicts, header, value =>
        {
            var accept = MediaTypeHeaderValue.ParseList([value]);
            return accept.Count == 0 || accept.Any(candidate => mediaType.IsSubsetOf(candidate) && candidate.Quality is not 0);
        });
    }

    private static bool IsJsonContentType(string? contentType) =>
        contentType is not null && HeaderVerdicts.Get(HeaderVerdicts.IsJson, contentType,
            value => MediaTypeHeaderValue.TryParse(value, out var parsed) && parsed.IsSubsetOf(Json));

    private static Task WriteUnsupportedVersionAsync(HttpContext context, string requested, string[] supported, RequestId requestId) =>
        JsonRpcHttpResponses.WriteErrorAsync(context, StatusCodes.Status400BadRequest, McpErrorCode.UnsupportedProtocolVersion,
            $"Unsupported protocol version '{requested}'. Supported: {string.Join(", ", supported)}.",
            requestId,
            JsonSerializer.SerializeToNode(new UnsupportedProtocolVersionErrorData { Requested = requested, Supported = supported },
                McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(UnsupportedProtocolVersionErrorData))));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not look up a session in the shared store")]
    private static partial void LogSessionLookupFailed(ILogger logger, Exception exception);
}

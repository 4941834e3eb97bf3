using System.Globalization;
using ModelContextProtocol;
using Prynai.McpServer.State;

namespace Prynai.McpServer.Transport.Sessions;

/// <summary>The GET side of a handshake session: one stream at a time, resumable with <c>Last-Event-ID</c>.</summary>
internal static partial class SessionStreamRequests
{
    /// <summary>Priming events (an id with empty data) start with 2025-11-25; older clients may not expect them.</summary>
    private const string FirstRevisionWithPriming = "2025-11-25";

    /// <summary>False when the header is present but not an id this server could have sent.</summary>
    public static bool TryReadLastEventId(HttpRequest request, out long? lastEventId)
    {
        lastEventId = null;
        var raw = request.Headers[McpHttpHeaders.LastEventId].ToString().Trim();
        if (raw.Length == 0)
        {
            return true;
        }
        if (!long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return false;
        }
        lastEventId = id;
        return true;
    }

    public static async Task ServeAsync(HttpContext context, HandshakeSession session, long? lastEventId, Drain.ReplicaDrain drain, ILogger logger)
    {
        if (lastEventId is null && session.Events.IsConnected)
        {
            await JsonRpcHttpResponses.WriteErrorAsync(context, StatusCodes.Status409Conflict, McpErrorCode.InvalidRequest,
                "This session already has an open GET stream; close it before opening another, or resume with Last-Event-ID.");
            return;
        }

        var prime = string.CompareOrdinal(session.Initialize?.ProtocolVersion, FirstRevisionWithPriming) >= 0;
        try
        {
            context.Response.Headers[McpHttpHeaders.SessionId] = session.Id;
            await session.Events.ServeAsync(context, lastEventId, prime, drain.ReconnectAfter, drain.Draining, context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client closed the stream: that ends an SSE response normally.
        }
        catch (StateStoreUnavailableException ex) when (!context.Response.HasStarted)
        {
            LogReplayUnavailable(logger, ex);
            context.Response.Headers.RetryAfter = "5";
            await JsonRpcHttpResponses.WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, JsonRpcHttpResponses.ServerErrorCode,
                "The session's notification log is unavailable, so the stream cannot be resumed yet; retry shortly.");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read a session's notification log to resume its GET stream")]
    private static partial void LogReplayUnavailable(ILogger logger, Exception exception);
}

using Prynai.McpServer.State;

namespace Prynai.McpServer.Transport.Sessions;

/// <summary>
/// Before a new session's first GET: a client subscribes, then opens its stream, and what changes in between is
/// recorded and delivered when that stream opens instead of being lost.
/// </summary>
internal sealed partial class SessionEventStream
{
    /// <summary>A session just started here: record for its first GET, which replays what it missed.</summary>
    public void AwaitFirstStream() => Volatile.Write(ref _firstStreamUntil, RecordingDeadline());

    private async Task<IReadOnlyList<LoggedEvent>> ReadSinceSessionStartAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await store.ReadEventsAsync(sessionId, 0, cancellationToken);
        }
        catch (StateStoreUnavailableException ex)
        {
            LogFirstStreamReplayFailed(logger, ex);
            return [];
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Delivered {Count} notifications recorded before a session's first GET stream")]
    private static partial void LogReplayedBeforeFirstStream(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read what a session was sent before its first GET stream; the stream starts without it")]
    private static partial void LogFirstStreamReplayFailed(ILogger logger, Exception exception);
}

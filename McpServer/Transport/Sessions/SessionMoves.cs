using ModelContextProtocol.Protocol;
using Prynai.McpServer.Revisions;
using Prynai.McpServer.State;

namespace Prynai.McpServer.Transport.Sessions;

/// <summary>
/// A handshake session served here, by a revision whose tool, prompt or resource lists differ from those the session was
/// last shown — it moved to a new revision, or back after a rollback — is told once: list_changed for each list that
/// differs, on its GET stream wherever that stream is (or in its replay log, for the client's next resume).
/// </summary>
internal sealed partial class SessionMoves(ResidentSessions sessions, ServedSurface surface, IStateStore store, ILogger<SessionMoves> logger)
{
    /// <summary>Cheap when nothing moved (a comparison); called as each session request begins.</summary>
    public Task AnnounceIfMovedAsync(HandshakeSession session)
    {
        var seen = session.Surface;
        var here = surface.Fingerprint;
        return session.Initialize is null || here.Equals(seen) ? Task.CompletedTask : AnnounceAsync(session, seen, here);
    }

    private async Task AnnounceAsync(HandshakeSession session, SurfaceFingerprint? seen, SurfaceFingerprint here)
    {
        if (!session.TryMoveSurface(seen, here))
        {
            return; // a concurrent request of the same session announced it
        }
        var changed = here.ChangedSince(seen);
        foreach (var method in changed)
        {
            await session.Events.PostAsync(new JsonRpcNotification { Method = method });
        }
        await sessions.SaveRecordAsync(session, CancellationToken.None);
        try
        {
            await store.PublishAsync(new StateChange(StateTopics.SessionSurfaceChanged, session.Id, here.Serialize()), CancellationToken.None);
        }
        catch (StateStoreUnavailableException)
        {
            // Other replicas' copies keep what they knew: their next request of the session may announce it again.
        }
        LogMoved(logger, string.Join(", ", changed));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "A session moved to this revision, which serves other lists: sent {Notifications}")]
    private static partial void LogMoved(ILogger logger, string notifications);
}

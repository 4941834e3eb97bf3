using Prynai.McpServer.State;

namespace Prynai.McpServer.Transport.Sessions;

/// <summary>
/// What other replicas announce about handshake sessions, on the store's change feed: a session ended or changed its
/// subscriptions, a client's reply or cancellation for a request this replica holds, a GET stream opened elsewhere
/// (this replica stops recording for it), events logged elsewhere, a session shown another revision's lists.
/// </summary>
internal sealed class SessionChangeListener(IStateStore store, ResidentSessions sessions, SessionReplyRouter replies) : ChangeFeedSubscriber(store)
{
    protected override async Task OnChangeAsync(StateChange change)
    {
        switch (change.Topic)
        {
            case StateTopics.SessionSubscriptionsChanged:
                await sessions.ReloadSubscriptionsAsync(change.Subject, CancellationToken.None);
                break;
            case StateTopics.SessionReply:
                await replies.DeliverAsync(change);
                break;
            case StateTopics.SessionRequestCancelled:
                await replies.DeliverCancellationAsync(change);
                break;
            case StateTopics.SessionEventsLogged when sessions.TryGet(change.Subject, out var logged):
                await logged.Events.CatchUpAsync();
                break;
            case StateTopics.SessionSurfaceChanged:
                sessions.AdoptSurface(change.Subject, Revisions.SurfaceFingerprint.Deserialize(change.Payload));
                break;
            case StateTopics.SessionEnded:
                await sessions.DropAsync(change.Subject);
                break;
            case StateTopics.SessionStreamOpened when long.TryParse(change.Payload, out var startId) && sessions.TryGet(change.Subject, out var streaming):
                await streaming.Events.YieldToAsync(startId);
                break;
        }
    }
}

namespace Prynai.McpServer.State;

/// <summary>
/// The shared state every replica sees: atomic counters, a small key-value space with optional expiry, and a
/// change feed that reaches every replica subscribed to the same store.
/// Implementations throw <see cref="StateStoreUnavailableException"/> when the backing service cannot be reached.
/// </summary>
public interface IStateStore
{
    /// <summary>Short name of the backing service ("sqlite", "redis", "cosmos"), used in health output and logs.</summary>
    string Kind { get; }

    Task<long> GetCounterAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Adds <paramref name="delta"/> atomically and returns the new value; throws <see cref="CounterOverflowException"/>
    /// and changes nothing when the result would leave ±<see cref="CounterRange.Limit"/>.
    /// </summary>
    Task<long> IncrementCounterAsync(string name, long delta, CancellationToken cancellationToken);

    /// <summary>Sets the counter; throws <see cref="CounterOverflowException"/> for a value beyond ±<see cref="CounterRange.Limit"/>.</summary>
    Task SetCounterAsync(string name, long value, CancellationToken cancellationToken);

    Task<string?> GetValueAsync(string key, CancellationToken cancellationToken);

    Task SetValueAsync(string key, string value, TimeSpan? timeToLive, CancellationToken cancellationToken);

    Task<bool> DeleteValueAsync(string key, CancellationToken cancellationToken);

    /// <summary>Publishes a change to every subscriber on every replica (including this one).</summary>
    Task PublishAsync(StateChange change, CancellationToken cancellationToken);

    /// <summary>Registers a handler for changes published by any replica. Dispose the result to stop.</summary>
    IDisposable Subscribe(Func<StateChange, Task> handler);

    /// <summary>
    /// Appends <paramref name="data"/> to the bounded, expiring event log <paramref name="log"/> (created on first use),
    /// dropping what exceeds <paramref name="limits"/>. Event ids increase within a log and are never reused, not even
    /// after the log expired and started again; the result also names the id of the event before this one (0: none).
    /// </summary>
    Task<AppendedEvent> AppendEventAsync(string log, string data, EventLogLimits limits, CancellationToken cancellationToken);

    /// <summary>The log's retained, unexpired events with an id greater than <paramref name="afterId"/>, oldest first.</summary>
    Task<IReadOnlyList<LoggedEvent>> ReadEventsAsync(string log, long afterId, CancellationToken cancellationToken);

    Task DeleteEventLogAsync(string log, CancellationToken cancellationToken);

    /// <summary>A cheap round trip to the backing service.</summary>
    Task<StoreHealth> CheckHealthAsync(CancellationToken cancellationToken);
}

/// <summary>A change announced through the store's change feed.</summary>
/// <param name="Topic">What changed, e.g. <see cref="StateTopics.ResourceUpdated"/>.</param>
/// <param name="Subject">Which item changed, e.g. a resource URI.</param>
/// <param name="Payload">Data the topic carries, if any (e.g. a forwarded JSON-RPC message).</param>
public sealed record StateChange(string Topic, string Subject, string? Payload = null);

public static class StateTopics
{
    /// <summary>A resource's content changed; subject = resource URI.</summary>
    public const string ResourceUpdated = "resource-updated";

    /// <summary>A list (tools, prompts, resources) changed; subject = the MCP notification method to send.</summary>
    public const string ListChanged = "list-changed";

    /// <summary>A handshake session's subscriptions changed; subject = session id.</summary>
    public const string SessionSubscriptionsChanged = "session-subscriptions";

    /// <summary>
    /// A client's answer to a server-initiated request (e.g. sampling) reached a replica other than the one waiting
    /// for it; subject = session id, payload = the JSON-RPC response.
    /// </summary>
    public const string SessionReply = "session-reply";

    /// <summary>
    /// A client cancelled a request of its session on a replica that is not answering it; subject = session id,
    /// payload = the <c>notifications/cancelled</c> message.
    /// </summary>
    public const string SessionRequestCancelled = "session-request-cancelled";

    /// <summary>A GET stream of a handshake session opened on some replica; subject = session id, payload = the log id where it starts.</summary>
    public const string SessionStreamOpened = "session-stream-opened";

    /// <summary>
    /// A replica logged events for a handshake session whose GET stream it does not hold; subject = session id. The replica
    /// holding the stream writes them out.
    /// </summary>
    public const string SessionEventsLogged = "session-events-logged";

    /// <summary>
    /// A handshake session was told that its lists changed (it moved to another revision); subject = session id, payload =
    /// the lists it has now seen (<see cref="Revisions.SurfaceFingerprint.Serialize"/>). Other replicas' copies adopt them.
    /// </summary>
    public const string SessionSurfaceChanged = "session-surface";

    /// <summary>A handshake session was deleted on some replica; subject = session id.</summary>
    public const string SessionEnded = "session-ended";
}

public sealed record StoreHealth(bool IsHealthy, string? Error = null);

/// <summary>What an event log keeps: at most <paramref name="MaxEvents"/> events, each for <paramref name="TimeToLive"/>.</summary>
public sealed record EventLogLimits(int MaxEvents, TimeSpan TimeToLive);

/// <summary>An event as the log holds it.</summary>
public sealed record LoggedEvent(long Id, string Data);

/// <summary>The id given to an appended event, and the id of the event before it in the same log (0 when there was none).</summary>
public readonly record struct AppendedEvent(long Id, long PreviousId);

/// <summary>The backing service of the state store could not be reached or answered with an error.</summary>
public sealed class StateStoreUnavailableException(string store, Exception? inner = null)
    : Exception($"The {store} state store is unavailable; try again shortly.", inner)
{
    public string Store { get; } = store;
}

/// <summary>
/// The values a counter may hold: ±(2^53 − 1), the integers every store and every JSON client represents exactly
/// (Cosmos DB and JavaScript hold numbers as doubles; SQLite turns an overflowing sum into a float). The same range
/// on every store, so a counter means the same thing wherever it lives.
/// </summary>
public static class CounterRange
{
    public const long Limit = 9_007_199_254_740_991;

    public static bool Contains(long value) => value is >= -Limit and <= Limit;

    /// <summary>Whether some counter value in range plus <paramref name="delta"/> can stay in range.</summary>
    public static bool CanAdd(long delta) => delta is >= -2 * Limit and <= 2 * Limit;
}

/// <summary>A counter change refused because its result would leave <see cref="CounterRange"/>; the counter is unchanged.</summary>
public sealed class CounterOverflowException(string message, Exception? inner = null) : Exception(message, inner)
{
    public static CounterOverflowException Adding(string counter, long delta, Exception? inner = null) => new(
        $"Adding {delta} to counter '{counter}' would take it beyond ±{CounterRange.Limit}, the largest value a counter holds; the counter is unchanged.", inner);

    public static CounterOverflowException Setting(string counter, long value) => new(
        $"Counter '{counter}' cannot be set to {value}: counters hold values within ±{CounterRange.Limit}; the counter is unchanged.");
}

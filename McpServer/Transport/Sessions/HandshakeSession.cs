using System.Collections.Concurrent;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using ProtocolServer = ModelContextProtocol.Server.McpServer;

namespace Prynai.McpServer.Transport.Sessions;

/// <summary>
/// One session of the initialize-handshake revisions (2025-11-25 and older) as it lives on this replica: the SDK
/// transport and server, who owns it, what it subscribed to, and whether it is busy.
/// </summary>
internal sealed class HandshakeSession : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<RequestId, CancellationTokenSource> _requestsInFlight = new();
    private readonly TimeProvider _time;
    private Task _run = Task.CompletedTask;
    private long _lastActivity;
    private long _lastPersisted;
    private int _activeRequests;
    private int _closing;
    private int _disposed;

    public HandshakeSession(string id, string? ownerId, StreamableHttpServerTransport transport, SessionEventStream events, TimeProvider time)
    {
        Id = id;
        OwnerId = ownerId;
        Transport = transport;
        Events = events;
        _time = time;
        _lastActivity = _lastPersisted = time.GetTimestamp();
    }

    public string Id { get; }

    /// <summary>Who created the session (see <see cref="Security.CallerIdentity"/>); null when it was anonymous.</summary>
    public string? OwnerId { get; }

    public StreamableHttpServerTransport Transport { get; }

    /// <summary>The GET stream: server-to-client notifications, recorded for replay.</summary>
    public SessionEventStream Events { get; }

    /// <summary>The client's initialize parameters, once the handshake ran (or from the shared record).</summary>
    public InitializeRequestParams? Initialize { get; set; }

    public ProtocolServer Server { get; private set; } = null!;

    /// <summary>The level the client asked for with logging/setLevel, as sent ("debug", "info"...); null until it does.</summary>
    public string? LogLevel { get; set; }

    /// <summary>Whether the store holds this session's current record, so it can leave memory and come back.</summary>
    public bool RecordSaved { get; set; }

    /// <summary>
    /// The tool, prompt and resource lists the session was last shown (by this replica's revision, or the one it came
    /// from); null when unknown. See <see cref="SessionMoves"/>.
    /// </summary>
    public Revisions.SurfaceFingerprint? Surface
    {
        get => Volatile.Read(ref _surface);
        set => Volatile.Write(ref _surface, value);
    }

    private Revisions.SurfaceFingerprint? _surface;

    /// <summary>Replaces <see cref="Surface"/> only if it is still <paramref name="seen"/>: one request announces a move, not several.</summary>
    public bool TryMoveSurface(Revisions.SurfaceFingerprint? seen, Revisions.SurfaceFingerprint now) =>
        ReferenceEquals(Interlocked.CompareExchange(ref _surface, now, seen), seen);

    /// <summary>Resource URIs this session subscribed to (resources/subscribe).</summary>
    public ConcurrentDictionary<string, byte> Subscriptions { get; } = new(StringComparer.Ordinal);

    /// <summary>A client streams notifications (GET), or did until recently and may resume: they are being recorded.</summary>
    public bool HasGetStream => Events.IsStreamKept;

    /// <summary>This copy is leaving memory (parked or expired); a new lookup finds the session again.</summary>
    public bool IsClosing => Volatile.Read(ref _closing) != 0;

    /// <summary>
    /// Notes a client request this replica is answering on a POST stream. The token ends that stream when the client
    /// cancels the request (<see cref="EndCancelledRequest"/>) or leaves; dispose the result when the request is over.
    /// </summary>
    public RequestInFlight TrackRequest(RequestId id, CancellationToken requestAborted)
    {
        var ended = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        _requestsInFlight[id] = ended;
        return new RequestInFlight(this, id, ended);
    }

    /// <summary>Whether this replica is answering the request <paramref name="id"/> of this session.</summary>
    public bool IsAnswering(RequestId id) => _requestsInFlight.ContainsKey(id);

    /// <summary>Ends the stream of a request the client cancelled; false when this replica is not answering it.</summary>
    public bool EndCancelledRequest(RequestId id)
    {
        if (!_requestsInFlight.TryGetValue(id, out var ended))
        {
            return false;
        }
        try
        {
            ended.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The request finished meanwhile.
        }
        return true;
    }

    public void Start(ProtocolServer server)
    {
        Server = server;
        _run = server.RunAsync(_stop.Token);
    }

    /// <summary>
    /// Marks a request (or a GET stream) in flight; the session cannot park or expire until the scope is disposed. False when the
    /// session is leaving memory: the caller looks it up again (which restores it from its record).
    /// </summary>
    public bool TryBeginRequest(out RequestScope scope)
    {
        Interlocked.Increment(ref _activeRequests);
        if (Volatile.Read(ref _closing) != 0)
        {
            Interlocked.Decrement(ref _activeRequests);
            scope = default;
            return false;
        }
        Touch();
        scope = new RequestScope(this);
        return true;
    }

    /// <summary>
    /// Claims an idle session for removal from memory: from here on no request or GET stream starts on this copy.
    /// False (and nothing changes) when something started meanwhile.
    /// </summary>
    public bool TryClose(TimeSpan idleFor)
    {
        if (Interlocked.CompareExchange(ref _closing, 1, 0) != 0)
        {
            return false;
        }
        if (IsIdle(idleFor))
        {
            return true;
        }
        Volatile.Write(ref _closing, 0);
        return false;
    }

    public bool IsIdle(TimeSpan timeout) =>
        Volatile.Read(ref _activeRequests) == 0 && !HasGetStream &&
        _time.GetElapsedTime(Volatile.Read(ref _lastActivity)) > timeout;

    /// <summary>True at most once per <paramref name="interval"/>: time to refresh the shared record's expiry.</summary>
    public bool ShouldRefreshRecord(TimeSpan interval)
    {
        var last = Volatile.Read(ref _lastPersisted);
        return _time.GetElapsedTime(last) > interval
               && Interlocked.CompareExchange(ref _lastPersisted, _time.GetTimestamp(), last) == last;
    }

    private void Touch() => Volatile.Write(ref _lastActivity, _time.GetTimestamp());

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _stop.CancelAsync();
        await Events.DisposeAsync();
        await Transport.DisposeAsync();
        try
        {
            await _run;
        }
        catch (OperationCanceledException)
        {
        }
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
        _stop.Dispose();
    }

    /// <summary>A request this replica is answering; see <see cref="TrackRequest"/>.</summary>
    public sealed class RequestInFlight(HandshakeSession session, RequestId id, CancellationTokenSource ended) : IDisposable
    {
        public CancellationToken Token => ended.Token;

        public void Dispose()
        {
            session._requestsInFlight.TryRemove(new KeyValuePair<RequestId, CancellationTokenSource>(id, ended));
            ended.Dispose();
        }
    }

    public readonly struct RequestScope(HandshakeSession session) : IDisposable
    {
        public void Dispose()
        {
            Interlocked.Decrement(ref session._activeRequests);
            session.Touch();
        }
    }
}

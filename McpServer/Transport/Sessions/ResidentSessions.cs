using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Prynai.McpServer.State;
using ProtocolServer = ModelContextProtocol.Server.McpServer;

namespace Prynai.McpServer.Transport.Sessions;

/// <summary>
/// The handshake sessions held in this replica's memory. A session is created by <c>initialize</c>, recorded in the shared
/// <see cref="SessionRecords"/>, parked (dropped from memory, record kept) when idle for a while, restored from the
/// record when a request for it lands here next, and ended when idle past its timeout.
/// </summary>
internal sealed partial class ResidentSessions(
    SessionRecords directory,
    IStateStore store,
    IOptions<McpTransportOptions> transportOptions,
    ServerOptionsOnDemand serverOptions,
    IServiceProvider services,
    Revisions.ServedSurface surface,
    TimeProvider time,
    ILoggerFactory loggerFactory) : IAsyncDisposable, Drain.IStreamHandoff
{
    private readonly ConcurrentDictionary<string, HandshakeSession> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<HandshakeSession?>>> _restoring = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggerFactory.CreateLogger<ResidentSessions>();
    private readonly ILogger _eventStreamLogger = loggerFactory.CreateLogger<SessionEventStream>();


    public int Count => _sessions.Count;

    public ICollection<HandshakeSession> Sessions => _sessions.Values;

    public bool TryGet(string sessionId, out HandshakeSession session) => _sessions.TryGetValue(sessionId, out session!);

    /// <summary>A drain ended GET streams here whose clients have not resumed elsewhere yet.</summary>
    public bool Pending => _sessions.Values.Any(session => session.Events.AwaitsResumption);

    /// <summary>Starts a session for an initialize request; null when this replica already holds the maximum.</summary>
    public HandshakeSession? Create(string? ownerId)
    {
        if (_sessions.Count >= transportOptions.Value.MaxSessions)
        {
            return null;
        }

        var id = NewSessionId();
        HandshakeSession? session = null;
        var transport = new StreamableHttpServerTransport(loggerFactory)
        {
            SessionId = id,
            FlowExecutionContextFromRequests = true,
            OnSessionInitialized = (initialize, cancellationToken) =>
            {
                session!.Initialize = initialize;
                session.Surface = surface.Fingerprint;
                return new ValueTask(SaveRecordAsync(session, cancellationToken));
            },
        };
        session = new HandshakeSession(id, ownerId, transport, NewEventStream(id), time);
        session.Events.AwaitFirstStream();
        session.Start(ProtocolServer.Create(transport, serverOptions.Value, loggerFactory, services));
        _sessions[id] = session;
        LogSessionStarted(_logger, _sessions.Count);
        return session;
    }

    /// <summary>The session, restored from the shared record when this replica does not hold it; null if it does not exist.</summary>
    public async Task<HandshakeSession?> FindAsync(string sessionId, CancellationToken cancellationToken)
    {
        if (_sessions.TryGetValue(sessionId, out var session))
        {
            return session;
        }

        // Concurrent requests for the same unknown session share one restore.
        var restore = _restoring.GetOrAdd(sessionId, id => new Lazy<Task<HandshakeSession?>>(() => RestoreAsync(id, CancellationToken.None)));
        try
        {
            return await restore.Value.WaitAsync(cancellationToken);
        }
        finally
        {
            _restoring.TryRemove(new KeyValuePair<string, Lazy<Task<HandshakeSession?>>>(sessionId, restore));
        }
    }

    private async Task<HandshakeSession?> RestoreAsync(string sessionId, CancellationToken cancellationToken)
    {
        var record = await directory.FindAsync(sessionId, cancellationToken);
        if (record is null)
        {
            return null;
        }

        var transport = new StreamableHttpServerTransport(loggerFactory) { SessionId = sessionId, FlowExecutionContextFromRequests = true };
        await transport.HandleInitializeRequestAsync(record.Initialize);
        var options = serverOptions.Factory.Create(Options.DefaultName);
        options.KnownClientInfo = record.Initialize.ClientInfo;
        options.KnownClientCapabilities = record.Initialize.Capabilities;

        var session = new HandshakeSession(sessionId, record.OwnerId, transport, NewEventStream(sessionId), time)
        {
            Initialize = record.Initialize,
            LogLevel = record.LogLevel,
            Surface = record.Surface,
            RecordSaved = true,
        };
        foreach (var uri in record.Subscriptions)
        {
            session.Subscriptions.TryAdd(uri, 0);
        }
        session.Start(ProtocolServer.Create(transport, options, loggerFactory, services));
        _sessions[sessionId] = session;
        LogSessionRestored(_logger, _sessions.Count);
        return session;
    }

    private SessionEventStream NewEventStream(string sessionId)
    {
        var options = transportOptions.Value;
        return new SessionEventStream(sessionId, store, new EventLogLimits(options.ReplayMaxEvents, options.ReplayWindow), options.ReplayWindow,
            time, _eventStreamLogger);
    }

    /// <summary>Ends the session everywhere: here, in the shared directory, and on other replicas (via the change feed).</summary>
    public async Task EndAsync(HandshakeSession session, CancellationToken cancellationToken)
    {
        await DropAsync(session.Id);
        await directory.DeleteAsync(session.Id, cancellationToken);
        try
        {
            await store.DeleteEventLogAsync(session.Id, cancellationToken);
        }
        catch (StateStoreUnavailableException)
        {
            // The log expires after the replay window by itself.
        }
        try
        {
            await store.PublishAsync(new StateChange(StateTopics.SessionEnded, session.Id), cancellationToken);
        }
        catch (StateStoreUnavailableException)
        {
            // Other replicas drop their copy when it idles out; the record is already gone.
        }
    }

    /// <summary>Drops this replica's copy only (idle, or ended elsewhere); the shared record is left to its expiry.</summary>
    public async Task DropAsync(string sessionId)
    {
        if (_sessions.TryRemove(sessionId, out var session))
        {
            await session.DisposeAsync();
            LogSessionDropped(_logger, _sessions.Count);
        }
    }

    public async Task AddSubscriptionAsync(HandshakeSession session, string uri, CancellationToken cancellationToken)
    {
        if (session.Subscriptions.TryAdd(uri, 0))
        {
            await SaveRecordAsync(session, cancellationToken);
            await store.PublishAsync(new StateChange(StateTopics.SessionSubscriptionsChanged, session.Id), cancellationToken);
        }
    }

    public async Task RemoveSubscriptionAsync(HandshakeSession session, string uri, CancellationToken cancellationToken)
    {
        if (session.Subscriptions.TryRemove(uri, out _))
        {
            await SaveRecordAsync(session, cancellationToken);
            await store.PublishAsync(new StateChange(StateTopics.SessionSubscriptionsChanged, session.Id), cancellationToken);
        }
    }

    /// <summary>Another replica changed this session's subscriptions: take them from the shared record.</summary>
    public async Task ReloadSubscriptionsAsync(string sessionId, CancellationToken cancellationToken)
    {
        if (!_sessions.TryGetValue(sessionId, out var session) || await directory.FindAsync(sessionId, cancellationToken) is not { } record)
        {
            return;
        }
        foreach (var uri in session.Subscriptions.Keys.Except(record.Subscriptions))
        {
            session.Subscriptions.TryRemove(uri, out _);
        }
        foreach (var uri in record.Subscriptions)
        {
            session.Subscriptions.TryAdd(uri, 0);
        }
    }

    /// <summary>Keeps the shared record alive while the session is used here (at most once per quarter idle timeout).</summary>
    public Task RefreshRecordIfDueAsync(HandshakeSession session, CancellationToken cancellationToken) =>
        session.Initialize is not null && session.ShouldRefreshRecord(transportOptions.Value.SessionIdleTimeout / 4)
            ? SaveRecordAsync(session, cancellationToken)
            : Task.CompletedTask;

    /// <summary>Ends sessions idle past their timeout and parks those idle for a while whose record is safe in the store.</summary>
    public async Task ExpireIdleAsync()
    {
        var options = transportOptions.Value;
        var released = 0;
        foreach (var session in _sessions.Values)
        {
            if (session.TryClose(options.SessionIdleTimeout))
            {
                await DropAsync(session.Id);
                released++;
            }
            else if (session.IsIdle(options.SessionParkAfter) && session.Initialize is not null)
            {
                // Saving now restarts the record's expiry from the last activity, as if the session had stayed here.
                if (await SaveRecordAsync(session, CancellationToken.None) && session.TryClose(options.SessionParkAfter))
                {
                    await DropAsync(session.Id);
                    LogSessionParked(_logger, _sessions.Count);
                    released++;
                }
            }
            else if (session.HasGetStream)
            {
                await RefreshRecordIfDueAsync(session, CancellationToken.None);
            }
        }
        if (released >= ReleaseCollectThreshold)
        {
            // Sessions live long enough to reach the oldest generation, which an idle server never collects by
            // itself: after releasing many at once, a compacting collection gives the memory back to the system.
            GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
    }

    private const int ReleaseCollectThreshold = 500;

    /// <summary>Remembers the level a client set with logging/setLevel, with the session's record.</summary>
    public async Task SetLogLevelAsync(HandshakeSession session, string level, CancellationToken cancellationToken)
    {
        session.LogLevel = level;
        await SaveRecordAsync(session, cancellationToken);
    }

    /// <summary>Another replica told this session that its lists changed: this copy adopts what the session has now seen.</summary>
    public void AdoptSurface(string sessionId, Revisions.SurfaceFingerprint? seen)
    {
        if (seen is not null && _sessions.TryGetValue(sessionId, out var session))
        {
            session.Surface = seen;
        }
    }

    public async Task<bool> SaveRecordAsync(HandshakeSession session, CancellationToken cancellationToken)
    {
        if (session.Initialize is not { } initialize)
        {
            return false;
        }
        var saved = await directory.SaveAsync(session.Id,
            new SessionRecord(initialize, session.OwnerId, [.. session.Subscriptions.Keys], session.LogLevel, session.Surface), cancellationToken);
        session.RecordSaved = saved;
        return saved;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var id in _sessions.Keys)
        {
            await DropAsync(id);
        }
    }

    /// <summary>256 random bits, URL-safe: unguessable, and only visible ASCII as the spec requires.</summary>
    private static string NewSessionId() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    [LoggerMessage(Level = LogLevel.Debug, Message = "Handshake session started; {Count} live on this replica")]
    private static partial void LogSessionStarted(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Handshake session restored from the shared store; {Count} live on this replica")]
    private static partial void LogSessionRestored(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Idle handshake session parked in the store; {Count} held in memory on this replica")]
    private static partial void LogSessionParked(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Handshake session dropped; {Count} live on this replica")]
    private static partial void LogSessionDropped(ILogger logger, int count);
}

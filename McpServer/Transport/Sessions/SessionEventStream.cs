using System.Globalization;
using System.Text;
using System.Text.Json;
using ModelContextProtocol.Protocol;
using Prynai.McpServer.State;

namespace Prynai.McpServer.Transport.Sessions;

/// <summary>
/// A handshake session's GET stream (server-to-client notifications), resumable with <c>Last-Event-ID</c> on any replica.
/// Every notification is recorded in the session's event log in the state store before it is written, and the SSE
/// event carries the log's id. While the client is connected, and for <see cref="McpTransportOptions.ReplayWindow"/>
/// after its connection was cut (ingress timeouts, network changes), notifications keep being recorded here, so a GET
/// with <c>Last-Event-ID</c> — on this replica or another — replays what the client missed, then streams on.
/// </summary>
/// <remarks>
/// The SDK's transport serves one GET per session for its lifetime (a second one throws after the response started),
/// and its resumability types are obsolete (MCP9006) and keep the stream on one process: the stream is ours. The
/// replica holding the stream announces it (<see cref="StateTopics.SessionStreamOpened"/>, with the log id where it
/// starts); another replica that was recording for an earlier stream then stops. Until it hears that, both may record:
/// the reader delivers every logged event once, in id order, so the client may see a notification twice around a
/// move, never miss one.
/// </remarks>
internal sealed partial class SessionEventStream(
    string sessionId,
    IStateStore store,
    EventLogLimits limits,
    TimeSpan replayWindow,
    TimeProvider time,
    ILogger logger) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Connection? _connection;
    private long _startedAt;
    private long _recordUntil;
    /// <summary>Until when a new session records for the first GET it has not opened yet; 0 once one opened.</summary>
    private long _firstStreamUntil;
    /// <summary>The log id the client has seen up to; -1 when unknown (the store was down when the stream started).</summary>
    private long _lastDelivered;

    /// <summary>A client is connected, or was until recently and may resume.</summary>
    public bool IsStreamKept => Volatile.Read(ref _connection) is not null || time.GetTimestamp() < Volatile.Read(ref _recordUntil);

    /// <summary>
    /// Notifications for this session are recorded here: while its stream is kept, and from the session's start until
    /// its first GET (at most the replay window), so what changes between a subscribe and that GET is not lost.
    /// </summary>
    public bool IsRecording => IsStreamKept || time.GetTimestamp() < Volatile.Read(ref _firstStreamUntil);

    public bool IsConnected => Volatile.Read(ref _connection) is not null;

    /// <summary>
    /// Serves one GET: replays the events after <paramref name="lastEventId"/> (or primes the client with a starting id),
    /// then streams until the client leaves (<paramref name="cancellationToken"/>), another GET takes over, or the
    /// replica drains (<paramref name="draining"/>): then the stream ends with its last event id and an SSE
    /// <c>retry</c> of <paramref name="reconnectAfter"/>, so the client resumes, on another replica, without a gap.
    /// Throws <see cref="StateStoreUnavailableException"/> before anything is written when a replay cannot be read.
    /// </summary>
    public async Task ServeAsync(HttpContext context, long? lastEventId, bool prime, TimeSpan reconnectAfter, CancellationToken draining,
        CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var connection = new Connection(context.Response.Body, stop);

        // Under the gate from the log read on, so a notification recorded meanwhile is either in the replay or
        // delivered after it, never skipped.
        long? start;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var firstStream = lastEventId is null && time.GetTimestamp() < Volatile.Read(ref _firstStreamUntil);
            Volatile.Write(ref _firstStreamUntil, 0);
            IReadOnlyList<LoggedEvent> replay = [];
            if (lastEventId is not null)
            {
                replay = await store.ReadEventsAsync(sessionId, lastEventId.Value, cancellationToken);
            }
            // An empty entry marks where this stream starts: its id primes a new client, and orders this stream
            // after every earlier one of the session, wherever they were (see YieldToAsync).
            start = await TryAppendAsync(string.Empty);
            if (firstStream && start is not null)
            {
                // Read after the marker, so a notification recorded while this stream starts is in it or comes after it.
                replay = await ReadSinceSessionStartAsync(cancellationToken);
            }
            if (_connection is { } previous)
            {
                // The client reconnected before this replica noticed that the old connection was gone.
                await previous.Stop.CancelAsync();
            }
            Volatile.Write(ref _connection, connection);
            _startedAt = Math.Max(_startedAt, start ?? 0);
            JsonRpcHttpResponses.StartEventStream(context);
            await context.Response.StartAsync(cancellationToken);
            var missed = replay.Count(e => e.Data.Length > 0);
            if (lastEventId is { } after)
            {
                // Not up to the start marker: what other replicas recorded meanwhile is read when the next event comes.
                _lastDelivered = after;
                await WriteAsync(connection, replay, cancellationToken);
                LogReplayed(logger, missed);
            }
            else if (missed > 0)
            {
                _lastDelivered = 0;
                await WriteAsync(connection, replay, cancellationToken);
                LogReplayedBeforeFirstStream(logger, missed);
            }
            else
            {
                _lastDelivered = start ?? -1;
                if (prime && start is { } id)
                {
                    await WriteEventAsync(connection.Body, id, string.Empty, cancellationToken);
                }
            }
            await connection.Body.FlushAsync(cancellationToken);
        }
        catch when (ReferenceEquals(_connection, connection))
        {
            // The client left while the stream started: it can still resume.
            Volatile.Write(ref _connection, null);
            Volatile.Write(ref _recordUntil, RecordingDeadline());
            throw;
        }
        finally
        {
            _gate.Release();
        }

        if (start is { } startId)
        {
            try
            {
                await store.PublishAsync(new StateChange(StateTopics.SessionStreamOpened, sessionId,
                    startId.ToString(CultureInfo.InvariantCulture)), CancellationToken.None);
            }
            catch (StateStoreUnavailableException ex)
            {
                LogAnnounceFailed(logger, ex);
            }
        }
        try
        {
            using var streaming = CancellationTokenSource.CreateLinkedTokenSource(stop.Token, draining);
            await Task.Delay(Timeout.Infinite, streaming.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested || draining.IsCancellationRequested)
        {
        }
        finally
        {
            if (draining.IsCancellationRequested && !stop.IsCancellationRequested)
            {
                await SayGoodbyeAsync(connection, prime, reconnectAfter);
            }
            await DetachAsync(connection);
        }
    }

    /// <summary>Records a notification for this session and writes it to the connected client, if any.</summary>
    public async Task DeliverAsync(JsonRpcMessage message)
    {
        if (!IsRecording)
        {
            return;
        }
        var data = JsonSerializer.Serialize(message, JsonRpcHttpResponses.MessageTypeInfo);
        AppendedEvent? appended = null;
        try
        {
            appended = await store.AppendEventAsync(sessionId, data, limits, CancellationToken.None);
        }
        catch (StateStoreUnavailableException ex)
        {
            // Deliver it anyway, without an id: only a replay would miss it.
            LogRecordFailed(logger, ex);
        }

        await _gate.WaitAsync();
        try
        {
            if (Volatile.Read(ref _connection) is not { } connection)
            {
                return;
            }
            if (appended is not { } logged)
            {
                await WriteEventAsync(connection.Body, null, data, connection.Stop.Token);
            }
            else if (logged.Id <= _lastDelivered)
            {
                return; // already written by a replay that read it from the log
            }
            else if (logged.PreviousId == _lastDelivered || _lastDelivered < 0)
            {
                await WriteEventAsync(connection.Body, logged.Id, data, connection.Stop.Token);
                _lastDelivered = logged.Id;
            }
            else
            {
                // Another replica (or a concurrent delivery) logged events in between: deliver the log in order.
                await WriteAsync(connection, await store.ReadEventsAsync(sessionId, _lastDelivered, CancellationToken.None), connection.Stop.Token, upTo: logged.Id);
            }
            await connection.Body.FlushAsync(connection.Stop.Token);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or StateStoreUnavailableException)
        {
            // The client is gone (or the log unreadable): the GET request ends; the next GET resumes from the log.
            if (Volatile.Read(ref _connection) is { } gone)
            {
                await gone.Stop.CancelAsync();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// A GET for this session opened somewhere, starting at log id <paramref name="startId"/>. A stream that started
    /// later than every one of this copy's (ids increase within the log, on every replica) takes over: stop streaming
    /// and recording here. This copy's own announcements, and late ones of older streams, change nothing.
    /// </summary>
    public async Task YieldToAsync(long startId)
    {
        await _gate.WaitAsync();
        try
        {
            if (startId <= _startedAt)
            {
                return;
            }
            Volatile.Write(ref _recordUntil, 0);
            Volatile.Write(ref _firstStreamUntil, 0);
            if (_connection is { } connection)
            {
                connection.Superseded = true;
                await connection.Stop.CancelAsync();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task DetachAsync(Connection connection)
    {
        await _gate.WaitAsync();
        try
        {
            if (ReferenceEquals(_connection, connection))
            {
                Volatile.Write(ref _connection, null);
                Volatile.Write(ref _recordUntil, connection.Superseded ? 0 : RecordingDeadline());
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private long RecordingDeadline() => time.GetTimestamp() + (long)(replayWindow.TotalSeconds * time.TimestampFrequency);

    private async Task<long?> TryAppendAsync(string data)
    {
        try
        {
            return (await store.AppendEventAsync(sessionId, data, limits, CancellationToken.None)).Id;
        }
        catch (StateStoreUnavailableException ex)
        {
            LogRecordFailed(logger, ex);
            return null;
        }
    }

    private async Task WriteAsync(Connection connection, IReadOnlyList<LoggedEvent> events, CancellationToken cancellationToken, long upTo = long.MaxValue)
    {
        foreach (var logged in events)
        {
            if (logged.Id > upTo)
            {
                break;
            }
            // Empty entries mark where a stream started: they move the cursor, there is nothing to send.
            if (logged.Data.Length > 0)
            {
                await WriteEventAsync(connection.Body, logged.Id, logged.Data, cancellationToken);
            }
            _lastDelivered = logged.Id;
        }
    }

    /// <summary>One SSE event: <c>id</c> when logged; an empty <c>data</c> only moves the client's Last-Event-ID (priming).</summary>
    private static async Task WriteEventAsync(Stream body, long? id, string data, CancellationToken cancellationToken)
    {
        var text = new StringBuilder(data.Length + 48);
        if (id is { } eventId)
        {
            text.Append("id: ").Append(eventId.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        text.Append(data.Length == 0 ? "data:\n\n" : $"event: message\ndata: {data}\n\n");
        await body.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _connection) is { } connection)
        {
            await connection.Stop.CancelAsync();
        }
    }

    private sealed class Connection(Stream body, CancellationTokenSource stop)
    {
        public Stream Body { get; } = body;

        public CancellationTokenSource Stop { get; } = stop;

        public volatile bool Superseded;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Replayed {Count} notifications on a resumed GET stream")]
    private static partial void LogReplayed(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not announce a session's GET stream to the other replicas; one may keep recording for it until its replay window ends")]
    private static partial void LogAnnounceFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record a session notification in the state store; it is not replayable")]
    private static partial void LogRecordFailed(ILogger logger, Exception exception);
}

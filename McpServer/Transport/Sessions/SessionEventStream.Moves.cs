using System.Globalization;
using System.Text;
using System.Text.Json;
using ModelContextProtocol.Protocol;
using Prynai.McpServer.State;

namespace Prynai.McpServer.Transport.Sessions;

/// <summary>
/// A session's stream across replicas and revisions: how a drain ends it (its last id, a reconnect hint, and recording
/// on until the client resumed elsewhere), and notifications for it from a replica that does not hold it.
/// </summary>
internal sealed partial class SessionEventStream
{
    /// <summary>
    /// This stream was ended by a drain and its client has not resumed elsewhere yet: the replica keeps recording for it
    /// (see <see cref="Drain.ReplicaDrain"/>).
    /// </summary>
    public bool AwaitsResumption => Volatile.Read(ref _endedByDrain) && IsStreamKept && !IsConnected;

    private bool _endedByDrain;

    /// <summary>
    /// The last word of a stream the drain ends: the SSE <c>retry</c> hint, and (where priming events are understood)
    /// the id the client resumes from, as an event without data.
    /// </summary>
    private async Task SayGoodbyeAsync(Connection connection, bool prime, TimeSpan reconnectAfter)
    {
        using var timeout = new CancellationTokenSource(GoodbyeTimeout);
        try
        {
            await _gate.WaitAsync(timeout.Token);
            try
            {
                Volatile.Write(ref _endedByDrain, true);
                var text = new StringBuilder("retry: ").Append(((long)reconnectAfter.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)).Append('\n');
                if (prime && _lastDelivered > 0)
                {
                    text.Append("id: ").Append(_lastDelivered.ToString(CultureInfo.InvariantCulture)).Append("\ndata:\n");
                }
                await connection.Body.WriteAsync(Encoding.UTF8.GetBytes(text.Append('\n').ToString()), timeout.Token);
                await connection.Body.FlushAsync(timeout.Token);
            }
            finally
            {
                _gate.Release();
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The client left meanwhile: it resumes from the last id it saw, like any cut stream.
        }
    }

    private static readonly TimeSpan GoodbyeTimeout = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A notification for this session from wherever its stream is: written here when the client is connected here;
    /// otherwise logged, and the replica holding the stream (told through the change feed) writes it out — or the
    /// client's next resume replays it.
    /// </summary>
    public async Task PostAsync(JsonRpcMessage message)
    {
        if (IsConnected)
        {
            await DeliverAsync(message);
            return;
        }
        try
        {
            await store.AppendEventAsync(sessionId, JsonSerializer.Serialize(message, JsonRpcHttpResponses.MessageTypeInfo), limits, CancellationToken.None);
            await store.PublishAsync(new StateChange(StateTopics.SessionEventsLogged, sessionId), CancellationToken.None);
        }
        catch (StateStoreUnavailableException ex)
        {
            LogRecordFailed(logger, ex);
        }
    }

    /// <summary>Another replica logged events for this session: the client connected here gets what it has not seen, in order.</summary>
    public async Task CatchUpAsync()
    {
        if (!IsConnected)
        {
            return;
        }
        await _gate.WaitAsync();
        try
        {
            if (Volatile.Read(ref _connection) is not { } connection || _lastDelivered < 0)
            {
                return;
            }
            await WriteAsync(connection, await store.ReadEventsAsync(sessionId, _lastDelivered, CancellationToken.None), connection.Stop.Token);
            await connection.Body.FlushAsync(connection.Stop.Token);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or StateStoreUnavailableException)
        {
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
}

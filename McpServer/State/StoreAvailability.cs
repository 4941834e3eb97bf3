namespace Prynai.McpServer.State;

/// <summary>
/// Whether the state store answers, as this replica sees it, and the outage log an operator reads: one warning when
/// an outage starts (what failed first, and what that means for clients), one information line when it ends (with
/// its duration), and nothing above Debug in between — however many calls fail, reconnect attempts are made or
/// components notice meanwhile. Fed by every store operation (<see cref="Telemetry.InstrumentedStateStore"/>) and by
/// the Redis client's connection events, so an outage shows even while no request uses the store.
/// </summary>
internal sealed partial class StoreAvailability(TimeProvider time, ILogger<StoreAvailability> logger)
{
    private long _outageStarted;

    public bool IsAvailable => Volatile.Read(ref _outageStarted) == 0;

    /// <summary>An operation failed because the store did not answer.</summary>
    public void ReportUnavailable(string store, string reason)
    {
        // A timestamp of 0 would read as "available"; the clock never returns it, but stay safe.
        var now = Math.Max(time.GetTimestamp(), 1);
        if (Interlocked.CompareExchange(ref _outageStarted, now, 0) == 0)
        {
            LogOutageStarted(logger, store, reason);
        }
        else
        {
            LogStillUnavailable(logger, store, reason);
        }
    }

    /// <summary>The store answered; ends an outage if there was one (cheap when there was not: it is called per operation).</summary>
    public void ReportAvailable(string store)
    {
        if (Volatile.Read(ref _outageStarted) == 0)
        {
            return;
        }
        var started = Interlocked.Exchange(ref _outageStarted, 0);
        if (started != 0)
        {
            LogOutageEnded(logger, store, time.GetElapsedTime(started).TotalSeconds);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Store} state store is unavailable ({Reason}). The server keeps running and " +
        "reconnects by itself: tools and resources that need the store answer that it is unavailable, /healthz reports it, sessions " +
        "keep working on this replica but cannot move to another, and task supervision waits. Further failures are logged at Debug " +
        "until it answers again")]
    private static partial void LogOutageStarted(ILogger logger, string store, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The {Store} state store is still unavailable ({Reason})")]
    private static partial void LogStillUnavailable(ILogger logger, string store, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "The {Store} state store answers again after an outage of {Seconds:0.0} s")]
    private static partial void LogOutageEnded(ILogger logger, string store, double seconds);
}

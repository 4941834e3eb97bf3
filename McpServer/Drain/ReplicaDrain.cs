using Microsoft.Extensions.Options;

namespace Prynai.McpServer.Drain;

/// <summary>Work a draining replica waits for (within <see cref="DrainOptions.StreamHandoff"/>) before it stops listening.</summary>
internal interface IStreamHandoff
{
    /// <summary>True while this replica ended streams whose clients have not yet resumed elsewhere.</summary>
    bool Pending { get; }
}

/// <summary>
/// The drain of this replica, the same every time. On SIGTERM (the host's stopping signal): readiness reports
/// unready at once and open streams end with their last event id and a reconnect hint (their owners watch
/// <see cref="Draining"/>); the listener keeps answering for <see cref="DrainOptions.AcceptFor"/> and until the
/// clients of the ended streams resumed elsewhere (at most <see cref="DrainOptions.StreamHandoff"/>); then it closes,
/// in-flight requests and running tasks finish until <see cref="Deadline"/>, when what is left is handed over or
/// cut (the host's shutdown timeout is the same deadline), and the process exits.
/// </summary>
internal sealed partial class ReplicaDrain(
    IOptions<DrainOptions> options,
    IHostApplicationLifetime lifetime,
    IEnumerable<IStreamHandoff> handoffs,
    TimeProvider time,
    ILogger<ReplicaDrain> logger) : IHostedLifecycleService
{
    private static readonly TimeSpan HandoffPoll = TimeSpan.FromMilliseconds(50);
    private readonly CancellationTokenSource _draining = new();
    private long _began;
    private DateTimeOffset _deadline = DateTimeOffset.MaxValue;

    public bool IsDraining => _draining.IsCancellationRequested;

    /// <summary>Cancelled when the drain begins: streams end on it.</summary>
    public CancellationToken Draining => _draining.Token;

    public TimeSpan ReconnectAfter => options.Value.ReconnectAfter;

    /// <summary>When work still running here is handed over and open requests are cut; MaxValue until the drain begins.</summary>
    public DateTimeOffset Deadline => Volatile.Read(ref _began) == 0 ? DateTimeOffset.MaxValue : _deadline;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStopping.Register(Begin);
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs before any hosted service (the web server included) stops: the listener is still open meanwhile.</summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        Begin();
        var settings = options.Value;
        var acceptUntil = Task.Delay(Remaining(settings.AcceptFor), time, cancellationToken);
        await Task.WhenAll(acceptUntil, WaitForHandoffsAsync(settings.StreamHandoff, cancellationToken)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        LogListenerClosing(logger, Elapsed.TotalSeconds);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        if (IsDraining)
        {
            LogDrained(logger, Elapsed.TotalSeconds, options.Value.GracePeriod.TotalSeconds);
        }
        return Task.CompletedTask;
    }

    /// <summary>Starts the drain (once): unready from here on, streams end.</summary>
    public void Begin()
    {
        if (Interlocked.CompareExchange(ref _began, time.GetTimestamp(), 0) != 0)
        {
            return;
        }
        var settings = options.Value;
        _deadline = time.GetUtcNow() + settings.Deadline;
        LogDraining(logger, settings.AcceptFor.TotalSeconds, settings.Deadline.TotalSeconds, settings.GracePeriod.TotalSeconds);
        _draining.Cancel();
    }

    private TimeSpan Elapsed => Volatile.Read(ref _began) is var began and not 0 ? time.GetElapsedTime(began) : TimeSpan.Zero;

    private TimeSpan Remaining(TimeSpan sinceBegin) => sinceBegin - Elapsed is { Ticks: > 0 } left ? left : TimeSpan.Zero;

    private async Task WaitForHandoffsAsync(TimeSpan bound, CancellationToken cancellationToken)
    {
        while (handoffs.Any(handoff => handoff.Pending))
        {
            if (Elapsed >= bound)
            {
                LogHandoffsLeft(logger, bound.TotalSeconds);
                return;
            }
            await Task.Delay(HandoffPoll, time, cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Draining: readiness reports unready, open streams end with a reconnect hint; " +
        "new requests are answered for {AcceptFor:0.#} s; work still running {Deadline:0.#} s after the stop signal is handed over " +
        "(grace period {GracePeriod:0.#} s)")]
    private static partial void LogDraining(ILogger logger, double acceptFor, double deadline, double gracePeriod);

    [LoggerMessage(Level = LogLevel.Information, Message = "Draining: the listener closes {Elapsed:0.00} s after the stop signal; in-flight requests and tasks finish")]
    private static partial void LogListenerClosing(ILogger logger, double elapsed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Draining: some clients whose stream ended did not resume elsewhere within {Bound:0.#} s; " +
        "notifications for them are no longer recorded here")]
    private static partial void LogHandoffsLeft(ILogger logger, double bound);

    [LoggerMessage(Level = LogLevel.Information, Message = "Drained in {Elapsed:0.00} s (grace period {GracePeriod:0.#} s); exiting")]
    private static partial void LogDrained(ILogger logger, double elapsed, double gracePeriod);
}

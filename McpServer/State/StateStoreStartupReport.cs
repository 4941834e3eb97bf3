namespace Prynai.McpServer.State;

/// <summary>
/// At start, one line saying which store holds the state, where, and whether it answers — so "it starts but nothing
/// is shared" or "it runs against a store that is not there" shows in the first screen of the log, not on first use.
/// An unreachable store does not stop the server: it serves degraded (and /healthz says so) until the store answers.
/// The check runs beside the start, not in its way: a new replica's readiness does not wait for a second round trip.
/// </summary>
internal sealed partial class StateStoreStartupReport(IStateStore store, string location, ILogger<StateStoreStartupReport> logger) : IHostedService
{
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);
    private readonly CancellationTokenSource _stop = new();
    private Task _report = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _report = Task.Run(() => ReportAsync(_stop.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task ReportAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CheckTimeout);
        StoreHealth health;
        try
        {
            health = await store.CheckHealthAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            health = new StoreHealth(false, $"no answer within {CheckTimeout.TotalSeconds:0} s");
        }
        if (health.IsHealthy)
        {
            LogReachable(logger, store.Kind, location);
        }
        else
        {
            LogUnreachable(logger, store.Kind, location, health.Error ?? "no answer");
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        await _report.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "State store: {Store} ({Location}), reachable")]
    private static partial void LogReachable(ILogger logger, string store, string location);

    [LoggerMessage(Level = LogLevel.Warning, Message = "State store: {Store} ({Location}), NOT reachable ({Reason}); serving degraded until it answers")]
    private static partial void LogUnreachable(ILogger logger, string store, string location, string reason);
}

namespace Prynai.McpServer.State;

/// <summary>
/// At start, one line saying which store holds the state, where, and whether it answers — so "it starts but nothing
/// is shared" or "it runs against a store that is not there" shows in the first screen of the log, not on first use.
/// An unreachable store does not stop the server: it serves degraded (and /healthz says so) until the store answers.
/// </summary>
internal sealed partial class StateStoreStartupReport(IStateStore store, string location, ILogger<StateStoreStartupReport> logger) : IHostedService
{
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    public async Task StartAsync(CancellationToken cancellationToken)
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

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "State store: {Store} ({Location}), reachable")]
    private static partial void LogReachable(ILogger logger, string store, string location);

    [LoggerMessage(Level = LogLevel.Warning, Message = "State store: {Store} ({Location}), NOT reachable ({Reason}); serving degraded until it answers")]
    private static partial void LogUnreachable(ILogger logger, string store, string location, string reason);
}

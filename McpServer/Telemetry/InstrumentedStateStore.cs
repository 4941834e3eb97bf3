using System.Diagnostics;
using Prynai.McpServer.State;

namespace Prynai.McpServer.Telemetry;

/// <summary>
/// Wraps the chosen state store: every operation is a client span (child of the MCP request that caused it), a
/// sample of <c>prynai.store.operation.duration</c>, and a report to <see cref="StoreAvailability"/> (which logs an
/// outage once, when it starts and when it ends).
/// </summary>
internal sealed class InstrumentedStateStore(IStateStore inner, PrynaiTelemetry telemetry, StoreAvailability availability) : IStateStore
{
    private readonly string _system = inner.Kind switch { "cosmos" => "azure.cosmosdb", var kind => kind };

    public string Kind => inner.Kind;

    public Task<long> GetCounterAsync(string name, CancellationToken cancellationToken) =>
        MeasureAsync("get_counter", () => inner.GetCounterAsync(name, cancellationToken));

    public Task<long> IncrementCounterAsync(string name, long delta, CancellationToken cancellationToken) =>
        MeasureAsync("increment_counter", () => inner.IncrementCounterAsync(name, delta, cancellationToken));

    public Task SetCounterAsync(string name, long value, CancellationToken cancellationToken) =>
        MeasureAsync("set_counter", async () => { await inner.SetCounterAsync(name, value, cancellationToken); return true; });

    public Task<string?> GetValueAsync(string key, CancellationToken cancellationToken) =>
        MeasureAsync("get_value", () => inner.GetValueAsync(key, cancellationToken));

    public Task SetValueAsync(string key, string value, TimeSpan? timeToLive, CancellationToken cancellationToken) =>
        MeasureAsync("set_value", async () => { await inner.SetValueAsync(key, value, timeToLive, cancellationToken); return true; });

    public Task<bool> DeleteValueAsync(string key, CancellationToken cancellationToken) =>
        MeasureAsync("delete_value", () => inner.DeleteValueAsync(key, cancellationToken));

    public Task PublishAsync(StateChange change, CancellationToken cancellationToken) =>
        MeasureAsync("publish", async () => { await inner.PublishAsync(change, cancellationToken); return true; });

    public Task<AppendedEvent> AppendEventAsync(string log, string data, EventLogLimits limits, CancellationToken cancellationToken) =>
        MeasureAsync("append_event", () => inner.AppendEventAsync(log, data, limits, cancellationToken));

    public Task<IReadOnlyList<LoggedEvent>> ReadEventsAsync(string log, long afterId, CancellationToken cancellationToken) =>
        MeasureAsync("read_events", () => inner.ReadEventsAsync(log, afterId, cancellationToken));

    public Task DeleteEventLogAsync(string log, CancellationToken cancellationToken) =>
        MeasureAsync("delete_event_log", async () => { await inner.DeleteEventLogAsync(log, cancellationToken); return true; });

    public IDisposable Subscribe(Func<StateChange, Task> handler) => inner.Subscribe(handler);

    public Task<StoreHealth> CheckHealthAsync(CancellationToken cancellationToken) => inner.CheckHealthAsync(cancellationToken);

    private async Task<T> MeasureAsync<T>(string operation, Func<Task<T>> run)
    {
        using var activity = PrynaiTelemetry.Source.StartActivity($"{operation} {_system}", ActivityKind.Client);
        activity?.SetTag("db.system.name", _system);
        activity?.SetTag("db.operation.name", operation);
        var started = Stopwatch.GetTimestamp();
        var outcome = "ok";
        try
        {
            var result = await run();
            availability.ReportAvailable(inner.Kind);
            return result;
        }
        catch (StateStoreUnavailableException ex)
        {
            availability.ReportUnavailable(inner.Kind, ex.InnerException?.Message ?? ex.Message);
            outcome = "unavailable";
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            activity?.SetTag("error.type", "unavailable");
            throw;
        }
        finally
        {
            telemetry.StoreOperationDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds,
                new("store", inner.Kind), new("operation", operation), new("outcome", outcome));
        }
    }
}

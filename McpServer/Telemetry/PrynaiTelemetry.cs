using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Prynai.McpServer.Telemetry;

/// <summary>
/// The server's own traces and metrics (ActivitySource and Meter <c>Prynai.McpServer</c>), beside what the MCP SDK
/// (<c>Experimental.ModelContextProtocol</c>) and ASP.NET Core emit.
/// </summary>
public sealed class PrynaiTelemetry : IDisposable
{
    public const string Name = "Prynai.McpServer";

    public static readonly ActivitySource Source = new(Name, ServerVersion);

    private readonly Meter _meter;

    public PrynaiTelemetry(IMeterFactory meters)
    {
        _meter = meters.Create(Name, ServerVersion);
        ToolCalls = _meter.CreateCounter<long>("prynai.tool.calls", "{call}", "Tool calls by tool and outcome (ok, tool_error, protocol_error, cancelled).");
        StoreOperationDuration = _meter.CreateHistogram<double>("prynai.store.operation.duration", "s", "Duration of state store operations by store, operation and outcome.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
        AuthFailures = _meter.CreateCounter<long>("prynai.auth.failures", "{request}", "Requests refused by authentication or authorization, by reason.");
        RateLimitRejections = _meter.CreateCounter<long>("prynai.ratelimit.rejections", "{request}", "Requests refused by the rate or concurrency limits.");
    }

    public Counter<long> ToolCalls { get; }

    public Histogram<double> StoreOperationDuration { get; }

    public Counter<long> AuthFailures { get; }

    public Counter<long> RateLimitRejections { get; }

    /// <summary>Reports a live value (e.g. sessions on this replica) as an observable gauge.</summary>
    public void ObserveGauge(string name, string unit, string description, Func<int> value) =>
        _meter.CreateObservableGauge(name, value, unit, description);

    public void Dispose() => _meter.Dispose();

    private static string ServerVersion => typeof(PrynaiTelemetry).Assembly.GetName().Version?.ToString() ?? "0.0.0";
}

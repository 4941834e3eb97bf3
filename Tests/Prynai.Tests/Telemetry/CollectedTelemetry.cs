using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.TestHost;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Telemetry;

/// <summary>
/// Spans and metric points an in-process server produced, gathered by collecting exporters added the way any host adds
/// one (<c>AddOpenTelemetry().WithTracing(...).WithMetrics(...)</c>): ServiceDefaults declares the sources, meters and
/// instrumentation, and the pipelines come into being because a test asked for them. Metric points are copied at
/// export time (the SDK reuses its Metric objects), which the InMemory exporter's Metric collection would not do.
/// </summary>
public sealed class CollectedTelemetry
{
    public ConcurrentQueue<Activity> Spans { get; } = new();

    public ConcurrentQueue<MetricSample> Points { get; } = new();

    /// <summary>A server whose telemetry lands here.</summary>
    public PrynaiServerFactory Server(IDictionary<string, string?>? settings = null) =>
        new PrynaiServerFactory(settings, configureServices: services => services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddProcessor(new SimpleActivityExportProcessor(new SpanCollector(this))))
            .WithMetrics(metrics => metrics.AddReader(new BaseExportingMetricReader(new MetricCollector(this)))));

    /// <summary>Makes the server's meter provider push what it has now.</summary>
    public static void FlushMetrics(PrynaiServerFactory server) =>
        server.Services.GetRequiredService<MeterProvider>().ForceFlush();

    public IEnumerable<MetricSample> PointsOf(string instrument) => Points.Where(p => p.Instrument == instrument);

    private sealed class SpanCollector(CollectedTelemetry sink) : BaseExporter<Activity>
    {
        public override ExportResult Export(in Batch<Activity> batch)
        {
            foreach (var activity in batch)
            {
                sink.Spans.Enqueue(activity);
            }
            return ExportResult.Success;
        }
    }

    /// <summary>The metric exporter, for servers configured by hand.</summary>
    public sealed class MetricCollector(CollectedTelemetry sink) : BaseExporter<Metric>
    {
        public override ExportResult Export(in Batch<Metric> batch)
        {
            foreach (var metric in batch)
            {
                foreach (ref readonly var point in metric.GetMetricPoints())
                {
                    var tags = new Dictionary<string, object?>();
                    foreach (var tag in point.Tags)
                    {
                        tags[tag.Key] = tag.Value;
                    }
                    double value = metric.MetricType switch
                    {
                        MetricType.LongSum or MetricType.LongSumNonMonotonic => point.GetSumLong(),
                        MetricType.DoubleSum or MetricType.DoubleSumNonMonotonic => point.GetSumDouble(),
                        MetricType.LongGauge => point.GetGaugeLastValueLong(),
                        MetricType.DoubleGauge => point.GetGaugeLastValueDouble(),
                        MetricType.Histogram => point.GetHistogramCount(),
                        _ => double.NaN,
                    };
                    sink.Points.Enqueue(new MetricSample(metric.Name, tags, value));
                }
            }
            return ExportResult.Success;
        }
    }
}

/// <summary>One exported metric point: its tags and its value (the count, for a histogram).</summary>
public sealed record MetricSample(string Instrument, IReadOnlyDictionary<string, object?> Tags, double Value);

/// <summary>Tests that listen to spans and metrics in process run while no other in-process server does.</summary>
[CollectionDefinition(nameof(InProcessTelemetry), DisableParallelization = true)]
public sealed class InProcessTelemetry;

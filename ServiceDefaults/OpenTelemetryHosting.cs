using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Builds the OpenTelemetry SDK's tracer and meter providers and ties them to the host: created when the host
/// starts, flushed and disposed when it stops. Stands in for OpenTelemetry.Extensions.Hosting (absent from this
/// build's package feed); with that package this file becomes <c>services.AddOpenTelemetry().WithTracing().WithMetrics()</c>.
/// </summary>
internal sealed class OpenTelemetryHosting(
    IOptions<TelemetryOptions> options,
    IEnumerable<TelemetryConfigurator> configurators,
    IHostEnvironment environment) : IHostedService, IDisposable
{
    private OpenTelemetrySdk? _sdk;

    public TracerProvider? TracerProvider => _sdk?.TracerProvider;

    public MeterProvider? MeterProvider => _sdk?.MeterProvider;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var exportOtlp = TelemetryOptions.OtlpConfigured;
        if (!exportOtlp && !configurators.Any())
        {
            // Nowhere to send anything: without listeners, spans are never created and instruments stay disabled,
            // which keeps telemetry off the hot path entirely.
            return Task.CompletedTask;
        }
        _sdk = OpenTelemetrySdk.Create(telemetry => telemetry
            .ConfigureResource(resource => ConfigureResource(resource, environment))
            .WithTracing(tracing =>
            {
                tracing.AddSource([.. settings.ActivitySources]);
                if (exportOtlp)
                {
                    tracing.AddOtlpExporter();
                }
                foreach (var configurator in configurators)
                {
                    configurator.Tracing?.Invoke(tracing);
                }
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter([.. settings.Meters]);
                if (exportOtlp)
                {
                    metrics.AddOtlpExporter();
                }
                foreach (var configurator in configurators)
                {
                    configurator.Metrics?.Invoke(metrics);
                }
            }));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _sdk?.TracerProvider.ForceFlush(5000);
        _sdk?.MeterProvider.ForceFlush(5000);
        return Task.CompletedTask;
    }

    public void Dispose() => _sdk?.Dispose();

    /// <summary>service.name (OTEL_SERVICE_NAME or the application), service.version (the build), deployment.environment; OTEL_RESOURCE_ATTRIBUTES applies.</summary>
    internal static void ConfigureResource(ResourceBuilder resource, IHostEnvironment environment)
    {
        var version = Assembly.GetEntryAssembly()?.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        if (Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME") is not { Length: > 0 })
        {
            resource.AddService(environment.ApplicationName, serviceVersion: version, autoGenerateServiceInstanceId: true);
        }
        resource.AddAttributes(
        [
            new("deployment.environment", environment.EnvironmentName),
            new("deployment.environment.name", environment.EnvironmentName),
            new("service.version", version),
        ]);
        resource.AddEnvironmentVariableDetector();
    }
}

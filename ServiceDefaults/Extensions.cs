using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Aspire's service defaults for every Prynai process: OpenTelemetry (traces, metrics, logs; OTLP when
/// OTEL_EXPORTER_OTLP_ENDPOINT is set), structured logs, health checks and their endpoints, service discovery.
/// </summary>
public static class Extensions
{
    /// <summary>Readiness: every registered check runs. <c>/healthz</c>.</summary>
    public const string ReadinessPath = "/healthz";

    /// <summary>Liveness: only checks tagged <see cref="LiveTag"/> run. <c>/livez</c>.</summary>
    public const string LivenessPath = "/livez";

    public const string LiveTag = "live";

    /// <summary>
    /// Ready to take traffic: only checks tagged <see cref="ReadyTag"/> run (a replica that drains, one whose data is not in
    /// place yet), not the shared store's — an outage of the store must not take every replica out of rotation.
    /// <c>/readyz</c>; the platform's readiness probe (Azure Container Apps) uses it.
    /// </summary>
    public const string ReadyPath = "/readyz";

    public const string ReadyTag = "ready";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddServiceDiscovery();
        // No resilience handler for every client, unlike the template: its 10 s / 30 s timeouts would cut a client
        // that holds an SSE stream. A client that fetches something short adds AddStandardResilienceHandler itself.
        builder.Services.ConfigureHttpClientDefaults(http => http.AddServiceDiscovery());
        return builder;
    }

    /// <summary>
    /// Declares what is traced and measured (ASP.NET Core, HttpClient and runtime instrumentation, the sources and
    /// meters in <see cref="TelemetryOptions"/>) and turns the pipelines on only where something will receive it: with
    /// OTLP configured, or when a caller adds its own exporter through <c>AddOpenTelemetry().WithTracing(...)</c>.
    /// Without either, no tracer or meter provider exists, so nothing listens and telemetry costs nothing per request.
    /// </summary>
    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.Configure(logging =>
            logging.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        var inContainer = Environment.GetEnvironmentVariable("DOTNET_RUNNING_IN_CONTAINER") == "true";
        builder.Services.Configure<ConsoleLoggerOptions>(console => console.FormatterName ??= inContainer ? ConsoleFormatterNames.Json : ConsoleFormatterNames.Simple);
        builder.Services.Configure<JsonConsoleFormatterOptions>(json =>
        {
            json.IncludeScopes = true;
            json.UseUtcTimestamp = true;
            json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
        });

        builder.Services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.SectionName);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => ConfigureResource(resource, builder.Environment));
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing
            .AddAspNetCoreInstrumentation(aspnet => aspnet.Filter = context => !IsHealthProbe(context.Request.Path))
            .AddHttpClientInstrumentation());
        builder.Services.ConfigureOpenTelemetryTracerProvider((services, tracing) =>
            tracing.AddSource([.. services.GetRequiredService<IOptions<TelemetryOptions>>().Value.ActivitySources]));
        builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics
            .AddAspNetCoreInstrumentation()
            .AddHttpClientInstrumentation()
            .AddRuntimeInstrumentation());
        builder.Services.ConfigureOpenTelemetryMeterProvider((services, metrics) =>
            metrics.AddMeter([.. services.GetRequiredService<IOptions<TelemetryOptions>>().Value.Meters]));

        if (TelemetryOptions.OtlpConfigured(builder.Configuration))
        {
            builder.Logging.AddOpenTelemetry(logging =>
            {
                logging.IncludeFormattedMessage = true;
                logging.IncludeScopes = true;
            });
            telemetry.WithTracing().WithMetrics().UseOtlpExporter();
        }
        return builder;
    }

    /// <summary>service.name (OTEL_SERVICE_NAME or the application), service.version (the build), deployment.environment; OTEL_RESOURCE_ATTRIBUTES applies.</summary>
    private static void ConfigureResource(ResourceBuilder resource, IHostEnvironment environment)
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
    }

    /// <summary>Health probes run every few seconds and would drown the traces that matter.</summary>
    private static bool IsHealthProbe(PathString path) =>
        path.Equals(ReadinessPath, StringComparison.OrdinalIgnoreCase) || path.Equals(LivenessPath, StringComparison.OrdinalIgnoreCase) ||
        path.Equals(ReadyPath, StringComparison.OrdinalIgnoreCase);

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    /// <summary>
    /// Maps <c>/healthz</c> (readiness with the shared store: 200 or 503 naming the failing check), <c>/readyz</c> (ready
    /// to take traffic: the <see cref="ReadyTag"/> checks) and <c>/livez</c> (200 while the process runs). All are anonymous
    /// and cheap; they answer JSON such as <c>{"status":"ok","store":"sqlite","sqlite":true}</c>.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(ReadinessPath, new HealthCheckOptions
        {
            Predicate = registration => !registration.Tags.Contains(LiveTag),
            ResponseWriter = HealthResponseWriter.WriteAsync,
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        }).AllowAnonymous().DisableHttpMetrics();

        app.MapHealthChecks(ReadyPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(ReadyTag),
            ResponseWriter = HealthResponseWriter.WriteAsync,
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        }).AllowAnonymous().DisableHttpMetrics();

        app.MapHealthChecks(LivenessPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(LiveTag),
            ResponseWriter = HealthResponseWriter.WriteAsync,
        }).AllowAnonymous().DisableHttpMetrics();

        return app;
    }
}

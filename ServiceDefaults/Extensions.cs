using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Aspire-style service defaults shared by every Prynai process: OpenTelemetry (traces, metrics, logs; OTLP when
/// OTEL_EXPORTER_OTLP_ENDPOINT is set), structured logs, health checks and their endpoints, HTTP client defaults.
/// </summary>
public static class Extensions
{
    /// <summary>Readiness: every registered check runs. <c>/healthz</c>.</summary>
    public const string ReadinessPath = "/healthz";

    /// <summary>Liveness: only checks tagged <see cref="LiveTag"/> run. <c>/livez</c>.</summary>
    public const string LivenessPath = "/livez";

    public const string LiveTag = "live";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddHttpClient();
        return builder;
    }

    /// <summary>
    /// Traces and metrics through the OpenTelemetry SDK (sources and meters in <see cref="TelemetryOptions"/>), logs
    /// carrying trace and span ids (JSON to the console in containers), all exported by OTLP when configured.
    /// </summary>
    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.SectionName);
        builder.Services.AddSingleton<OpenTelemetryHosting>();
        builder.Services.AddHostedService(services => services.GetRequiredService<OpenTelemetryHosting>());
        builder.Services.AddSingleton<IStartupFilter, HttpServerSpans>();

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

        if (TelemetryOptions.OtlpConfigured)
        {
            builder.Logging.AddOpenTelemetry(logging =>
            {
                logging.IncludeFormattedMessage = true;
                logging.IncludeScopes = true;
                logging.SetResourceBuilder(ResourceFor(builder.Environment));
                logging.AddOtlpExporter();
            });
        }
        return builder;
    }

    /// <summary>Adds an exporter or processor to the traces and/or metrics pipeline (e.g. a test's collecting exporter).</summary>
    public static IServiceCollection AddTelemetryExporter(this IServiceCollection services,
        Action<TracerProviderBuilder>? tracing = null, Action<MeterProviderBuilder>? metrics = null) =>
        services.AddSingleton(new TelemetryConfigurator(tracing, metrics));

    private static ResourceBuilder ResourceFor(IHostEnvironment environment)
    {
        var resource = ResourceBuilder.CreateEmpty();
        OpenTelemetryHosting.ConfigureResource(resource, environment);
        return resource;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    /// <summary>
    /// Maps <c>/healthz</c> (readiness: 200 or 503 naming the failing check) and <c>/livez</c> (200 while the process runs).
    /// Both are anonymous and cheap; they answer JSON such as <c>{"status":"ok","store":"sqlite","sqlite":true}</c>.
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

        app.MapHealthChecks(LivenessPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(LiveTag),
            ResponseWriter = HealthResponseWriter.WriteAsync,
        }).AllowAnonymous().DisableHttpMetrics();

        return app;
    }
}

using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>What the service's telemetry listens to (section <c>Telemetry</c>).</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>Activity sources traced: the app's own, the MCP SDK's, ASP.NET Core's, HttpClient's, the Cosmos SDK's.</summary>
    public List<string> ActivitySources { get; set; } =
        ["Prynai.*", "Experimental.ModelContextProtocol", "Microsoft.AspNetCore", "System.Net.Http", "Azure.Cosmos.Operation"];

    /// <summary>Meters collected: the app's, the MCP SDK's, ASP.NET Core's (hosting, Kestrel, routing, limits, auth), HttpClient, the runtime.</summary>
    public List<string> Meters { get; set; } =
    [
        "Prynai.*", "Experimental.ModelContextProtocol", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Routing", "Microsoft.AspNetCore.RateLimiting", "Microsoft.AspNetCore.Authentication",
        "Microsoft.AspNetCore.Authorization", "System.Net.Http", "System.Runtime",
    ];

    /// <summary>OTLP export is on when OTEL_EXPORTER_OTLP_ENDPOINT is set (Aspire sets it for its dashboard).</summary>
    public static bool OtlpConfigured => Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT") is { Length: > 0 };
}

/// <summary>
/// An extra exporter or processor for the telemetry pipeline, e.g. a test's collecting exporter. Register with
/// <see cref="Extensions.AddTelemetryExporter"/>.
/// </summary>
public sealed record TelemetryConfigurator(Action<TracerProviderBuilder>? Tracing, Action<MeterProviderBuilder>? Metrics);

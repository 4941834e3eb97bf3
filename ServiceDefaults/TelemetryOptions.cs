using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.Hosting;

/// <summary>What the service's telemetry listens to beyond the instrumentation packages (section <c>Telemetry</c>).</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>
    /// Activity sources traced besides ASP.NET Core's and HttpClient's (their instrumentation adds those): the app's
    /// own, the MCP SDK's, the Cosmos SDK's.
    /// </summary>
    public List<string> ActivitySources { get; set; } = ["Prynai.*", "Experimental.ModelContextProtocol", "Azure.Cosmos.Operation"];

    /// <summary>
    /// Meters collected besides the instrumentation's (ASP.NET Core hosting, Kestrel, routing, rate limiting; HttpClient;
    /// the runtime): the app's, the MCP SDK's, ASP.NET Core's authentication and authorization.
    /// </summary>
    public List<string> Meters { get; set; } =
        ["Prynai.*", "Experimental.ModelContextProtocol", "Microsoft.AspNetCore.Authentication", "Microsoft.AspNetCore.Authorization"];

    /// <summary>OTLP export is on when OTEL_EXPORTER_OTLP_ENDPOINT is set (Aspire sets it for its dashboard).</summary>
    public static bool OtlpConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
}

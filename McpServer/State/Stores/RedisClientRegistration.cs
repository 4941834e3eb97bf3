using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Prynai.McpServer.State.Stores;

/// <summary>
/// Redis through Aspire's client integration (<c>AddRedisClient("cache")</c>): it owns the multiplexer, its readiness
/// check and its tracing. What it reads is <c>ConnectionStrings:cache</c>; a <c>REDIS_URL</c> is translated into that
/// form by <see cref="RedisConnection"/>, which also sets the timeouts.
/// </summary>
internal static class RedisClientRegistration
{
    public const string ConnectionName = "cache";

    /// <summary>The name the integration gives its health check.</summary>
    private const string IntegrationCheckName = "StackExchange.Redis";

    private const string Kind = "redis";

    /// <param name="trustedCa">A CA this connection trusts besides the system's (<c>State:RedisTrustedCaCertificate</c>), or null.</param>
    public static void AddPrynaiRedisClient(this IHostApplicationBuilder builder, StackExchange.Redis.ConfigurationOptions configuration,
        System.Security.Cryptography.X509Certificates.X509Certificate2? trustedCa = null)
    {
        // The integration's tracing creates a tracer provider of its own; with nowhere to export to, it would make
        // every request pay for spans nobody receives.
        var exported = TelemetryOptions.OtlpConfigured(builder.Configuration);
        builder.AddRedisClient(ConnectionName, settings =>
        {
            settings.ConnectionString = configuration.ToString(includePassword: true);
            settings.DisableTracing |= !exported;
        }, options =>
        {
            RedisConnection.ApplyDefaults(options);
            if (trustedCa is not null)
            {
                options.TrustIssuer(trustedCa);
            }
        });

        // /healthz names each store the same way ("redis": true, "store": "redis"), so the integration's check is
        // shown under the store's name; it stays the only Redis check.
        builder.Services.Configure<HealthCheckServiceOptions>(options =>
        {
            if (options.Registrations.FirstOrDefault(r => r.Name == IntegrationCheckName) is not { } integration)
            {
                return;
            }
            options.Registrations.Remove(integration);
            options.Registrations.Add(new HealthCheckRegistration(
                Kind,
                services => new NamedStoreCheck(integration.Factory(services)),
                integration.FailureStatus,
                integration.Tags,
                integration.Timeout == System.Threading.Timeout.InfiniteTimeSpan ? StateStoreHealthCheck.Timeout : integration.Timeout));
        });
    }

    private sealed class NamedStoreCheck(IHealthCheck integration) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var result = await integration.CheckHealthAsync(context, cancellationToken);
            return StateStoreHealthCheck.Report(Kind, result.Status == HealthStatus.Healthy, context);
        }
    }
}

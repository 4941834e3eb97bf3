using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Prynai.McpServer.Support.Data;

/// <summary>
/// Readiness: the support desk's data is in place (schema, seed). Until then its tools answer "unavailable", so the
/// replica must not take traffic; degraded (503), not an error, since start-up and store outages end by themselves.
/// </summary>
internal sealed class SupportDataReadiness(SupportDesk desk) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(desk.IsReady
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Degraded("the support desk's data is not in place yet; its tools answer 'unavailable'"));
}

using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Prynai.McpServer.State;

/// <summary>Readiness of the state store: one cheap round trip. Reports <c>store: &lt;kind&gt;</c> either way.</summary>
internal sealed class StateStoreHealthCheck(IStateStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["store"] = store.Kind };
        var health = await store.CheckHealthAsync(cancellationToken);
        return health.IsHealthy
            ? HealthCheckResult.Healthy(data: data)
            : new HealthCheckResult(context.Registration.FailureStatus, $"{store.Kind} is unreachable", data: data);
    }
}

using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Prynai.McpServer.State;

/// <summary>Readiness of the state store: one cheap round trip. Reports <c>store: &lt;kind&gt;</c> either way.</summary>
internal sealed class StateStoreHealthCheck(IStateStore store) : IHealthCheck
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var health = await store.CheckHealthAsync(cancellationToken);
        return Report(store.Kind, health.IsHealthy, context);
    }

    /// <summary>The result /healthz shows for a store: <c>"&lt;kind&gt;": true|false</c>, <c>"store": "&lt;kind&gt;"</c>, and why when down.</summary>
    public static HealthCheckResult Report(string kind, bool healthy, HealthCheckContext context)
    {
        var data = new Dictionary<string, object> { ["store"] = kind };
        return healthy
            ? HealthCheckResult.Healthy(data: data)
            : new HealthCheckResult(context.Registration.FailureStatus, $"{kind} is unreachable", data: data);
    }
}

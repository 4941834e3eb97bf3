using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Prynai.McpServer.Drain;

public static class DrainServiceCollectionExtensions
{
    /// <summary>
    /// The graceful drain on SIGTERM (<see cref="ReplicaDrain"/>): its settings, the host's shutdown timeout set to
    /// the drain's deadline, and the readiness check that turns unready the moment the drain begins.
    /// </summary>
    public static IHostApplicationBuilder AddPrynaiDrain(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<DrainOptions>().BindConfiguration(DrainOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<DrainOptions>, DrainOptionsValidator>();
        services.AddOptions<HostOptions>().Configure<IOptions<DrainOptions>>((host, drain) => host.ShutdownTimeout = drain.Value.Deadline);
        services.AddSingleton<ReplicaDrain>();
        services.AddHostedService(provider => provider.GetRequiredService<ReplicaDrain>());
        services.AddHealthChecks().AddCheck<DrainHealthCheck>(DrainHealthCheck.Name, tags: [Extensions.ReadyTag]);
        return builder;
    }

    /// <summary>
    /// Readiness: not ready from the first moment of a drain, so the platform stops routing here. Degraded rather than
    /// unhealthy (both answer 503): the replica still answers, and an expected state is not logged as an error.
    /// </summary>
    private sealed class DrainHealthCheck(ReplicaDrain drain) : IHealthCheck
    {
        public const string Name = "serving";

        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(drain.IsDraining
                ? HealthCheckResult.Degraded("draining: this replica is shutting down; another one takes its requests")
                : HealthCheckResult.Healthy());
    }
}

using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Prynai.McpServer.State;

public static class StateServiceCollectionExtensions
{
    /// <summary>
    /// Registers the state store chosen from configuration (the embedded SQLite file by default), the shared
    /// counter and the store's readiness check (named after the store, e.g. <c>"sqlite": true</c> in /healthz).
    /// </summary>
    public static IHostApplicationBuilder AddPrynaiState(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StateOptions>()
            .BindConfiguration(StateOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);

        builder.Services.AddSingleton<IStateStore>(services =>
        {
            var options = services.GetRequiredService<IOptions<StateOptions>>().Value;
            var environment = services.GetRequiredService<IHostEnvironment>();
            var path = Path.Combine(environment.ContentRootPath, options.SqlitePath);
            return new SqliteStateStore(path, services.GetRequiredService<TimeProvider>(),
                services.GetRequiredService<ILogger<SqliteStateStore>>());
        });
        builder.Services.AddSingleton<SharedCounter>();

        const string kind = "sqlite";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            kind,
            services => new StateStoreHealthCheck(services.GetRequiredService<IStateStore>()),
            HealthStatus.Unhealthy,
            tags: null));
        return builder;
    }
}

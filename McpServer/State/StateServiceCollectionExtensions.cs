using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Prynai.McpServer.Telemetry;
using StackExchange.Redis;

namespace Prynai.McpServer.State;

public static class StateServiceCollectionExtensions
{
    /// <summary>
    /// Registers the state store chosen from configuration — <c>ConnectionStrings:cosmos</c> → Cosmos DB;
    /// <c>ConnectionStrings:cache</c> or <c>REDIS_URL</c> → Redis (through Aspire's client);
    /// otherwise the embedded SQLite file — with the shared counter and a readiness check named after the store
    /// (e.g. <c>"redis": false</c> in /healthz).
    /// </summary>
    public static IHostApplicationBuilder AddPrynaiState(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<StateOptions>().BindConfiguration(StateOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<CosmosStateOptions>().BindConfiguration(CosmosStateOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PrynaiTelemetry>();

        var cosmos = builder.Configuration.GetConnectionString("cosmos");
        var redis = builder.Configuration.GetConnectionString("cache") is { Length: > 0 } cache ? cache : builder.Configuration["REDIS_URL"];
        string kind;
        if (cosmos is { Length: > 0 })
        {
            kind = "cosmos";
            services.AddSingleton(provider =>
            {
                var options = provider.GetRequiredService<IOptions<CosmosStateOptions>>().Value;
                var client = CosmosConnection.CreateClient(cosmos, options);
                return new CosmosStateStore(client, options, provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILogger<CosmosStateStore>>());
            });
            services.AddSingleton<IStateStore>(provider => Instrument(provider, provider.GetRequiredService<CosmosStateStore>()));
            services.AddHostedService(provider => new StateStoreStarter(ct => provider.GetRequiredService<CosmosStateStore>().StartAsync(ct)));
        }
        else if (redis is { Length: > 0 })
        {
            kind = "redis";
            builder.AddPrynaiRedisClient(redis);
            services.AddSingleton(provider => new RedisStateStore(provider.GetRequiredService<IConnectionMultiplexer>(), provider.GetRequiredService<ILogger<RedisStateStore>>()));
            services.AddSingleton<IStateStore>(provider => Instrument(provider, provider.GetRequiredService<RedisStateStore>()));
            services.AddHostedService(provider => new StateStoreStarter(_ => provider.GetRequiredService<RedisStateStore>().StartAsync()));
        }
        else
        {
            kind = "sqlite";
            services.AddSingleton<IStateStore>(provider =>
            {
                var options = provider.GetRequiredService<IOptions<StateOptions>>().Value;
                var path = Path.Combine(provider.GetRequiredService<IHostEnvironment>().ContentRootPath, options.SqlitePath);
                return Instrument(provider, new SqliteStateStore(path, provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILogger<SqliteStateStore>>()));
            });
        }
        services.AddSingleton<SharedCounter>();

        if (kind != "redis") // Redis has the integration's own check (RedisClientRegistration)
        {
            services.AddHealthChecks().Add(new HealthCheckRegistration(
                kind,
                provider => new StateStoreHealthCheck(provider.GetRequiredService<IStateStore>()),
                HealthStatus.Unhealthy,
                tags: null,
                timeout: StateStoreHealthCheck.Timeout));
        }
        return builder;
    }

    private static IStateStore Instrument(IServiceProvider provider, IStateStore store) =>
        new InstrumentedStateStore(store, provider.GetRequiredService<PrynaiTelemetry>());

    /// <summary>Connects the store when the host starts, so a misconfiguration shows at startup and not on first use.</summary>
    private sealed class StateStoreStarter(Func<CancellationToken, Task> start) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => start(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

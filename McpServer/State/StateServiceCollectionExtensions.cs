using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Prynai.McpServer.State.Stores;
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
        services.AddSingleton<StoreAvailability>();

        var cosmos = builder.Configuration.GetConnectionString("cosmos");
        var cache = builder.Configuration.GetConnectionString("cache");
        var redisUrl = builder.Configuration[RedisConnection.UrlSetting];
        string kind;
        Func<IServiceProvider, string> location;
        if (cosmos is { Length: > 0 })
        {
            kind = "cosmos";
            var (endpoint, _, database, container) = CosmosConnection.Parse(cosmos); // a malformed value stops startup here, naming the setting
            location = provider =>
            {
                var options = provider.GetRequiredService<IOptions<CosmosStateOptions>>().Value;
                return $"{endpoint}, database {database ?? options.DatabaseName}, container {container ?? options.ContainerName}";
            };
            services.AddSingleton(provider =>
            {
                var options = provider.GetRequiredService<IOptions<CosmosStateOptions>>().Value;
                var client = CosmosConnection.CreateClient(cosmos, options);
                return new CosmosStateStore(client, options, provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILogger<CosmosStateStore>>());
            });
            services.AddSingleton<IStateStore>(provider => Instrument(provider, provider.GetRequiredService<CosmosStateStore>()));
            services.AddHostedService(provider => new StateStoreStarter(ct => provider.GetRequiredService<CosmosStateStore>().StartAsync(ct)));
        }
        else if (cache is { Length: > 0 } || redisUrl is { Length: > 0 })
        {
            kind = "redis";
            var configuration = cache is { Length: > 0 }
                ? RedisConnection.Parse(cache, RedisConnection.ConnectionStringSetting)
                : RedisConnection.Parse(redisUrl!);
            location = _ => RedisConnection.Describe(configuration);
            builder.AddPrynaiRedisClient(configuration, RedisConnection.TrustedCa(builder.Configuration[StateOptions.RedisTrustedCaCertificateSetting]));
            services.AddSingleton(provider => new RedisStateStore(provider.GetRequiredService<IConnectionMultiplexer>(),
                provider.GetRequiredService<StoreAvailability>(), provider.GetRequiredService<ILogger<RedisStateStore>>()));
            services.AddSingleton<IStateStore>(provider => Instrument(provider, provider.GetRequiredService<RedisStateStore>()));
            services.AddHostedService(provider => new StateStoreStarter(_ => provider.GetRequiredService<RedisStateStore>().StartAsync()));
        }
        else
        {
            kind = "sqlite";
            static string SqlitePath(IServiceProvider provider) => Path.GetFullPath(Path.Combine(
                provider.GetRequiredService<IHostEnvironment>().ContentRootPath, provider.GetRequiredService<IOptions<StateOptions>>().Value.SqlitePath));
            location = provider => $"file {SqlitePath(provider)}";
            services.AddSingleton<IStateStore>(provider =>
                Instrument(provider, new SqliteStateStore(SqlitePath(provider), provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILogger<SqliteStateStore>>())));
        }
        services.AddSingleton<SharedCounter>();
        services.AddHostedService(provider => new StateStoreStartupReport(
            provider.GetRequiredService<IStateStore>(), location(provider), provider.GetRequiredService<ILogger<StateStoreStartupReport>>()));

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
        new InstrumentedStateStore(store, provider.GetRequiredService<PrynaiTelemetry>(), provider.GetRequiredService<StoreAvailability>());

    /// <summary>Connects the store when the host starts, so a misconfiguration shows at startup and not on first use.</summary>
    private sealed class StateStoreStarter(Func<CancellationToken, Task> start) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => start(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

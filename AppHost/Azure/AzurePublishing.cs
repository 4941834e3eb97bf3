using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Prynai.AppHost;

/// <summary>
/// The Azure flavour (built with -p:PrynaiAzure=true, as azd and the deploy workflow do): an Azure Container Apps
/// environment, Azure Managed Redis and Cosmos DB accounts. F5 runs the same local resources as the local flavour.
/// The methods Program.cs shares with AppHost/Local.
/// </summary>
internal static partial class AzurePublishing
{
    /// <summary>Publish target: an Azure Container Apps environment (registry, Log Analytics, Aspire dashboard).</summary>
    public static IDistributedApplicationBuilder AddDeploymentEnvironment(this IDistributedApplicationBuilder builder)
    {
        builder.AddAzureContainerAppEnvironment("env");
        return builder;
    }

    /// <summary>
    /// Azure Managed Redis (access keys, kept in Key Vault) when published; on F5 a container, a local process or none
    /// (null: the server's own SQLite file).
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString>? AddPrynaiCache(this IDistributedApplicationBuilder builder, string name) =>
        builder.ExecutionContext.IsRunMode ? builder.AddLocalRedis(name) : builder.AddAzureManagedRedis(name).WithAccessKeyAuthentication();

    /// <summary>
    /// A Cosmos DB account with the state container (partition key /id) and the support desk's database, used through
    /// the app's managed identity, no keys. F5 runs the Linux (vNext) emulator with its Data Explorer when a container
    /// runtime answers, else takes <c>ConnectionStrings:cosmos</c>.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddPrynaiCosmos(this IDistributedApplicationBuilder builder, string name)
    {
        if (builder.ExecutionContext.IsRunMode && ContainerRuntime.Probe(builder.Configuration) is { Answers: false } runtime)
        {
            builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
            {
                @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Prynai.AppHost").CosmosFromConnectionString(name, runtime.Detail);
                return Task.CompletedTask;
            });
            return builder.AddConnectionString(name);
        }
        var cosmos = builder.AddAzureCosmosDB(name);
        cosmos.RunAsEmulator(emulator => emulator.WithDataExplorer());
        cosmos.AddCosmosDatabase(CosmosState.DatabaseName).AddContainer(CosmosState.ContainerName, "/id");
        var support = cosmos.AddCosmosDatabase(CosmosState.SupportDatabaseName);
        support.AddContainer("customers", "/customerId");
        support.AddContainer("catalog", "/kind");
        return cosmos;
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Cosmos DB '{Name}' is the account in ConnectionStrings:{Name}: no container runtime answered for the emulator ({Detail}).")]
    private static partial void CosmosFromConnectionString(this ILogger logger, string name, string detail);
}

using Microsoft.Extensions.Configuration;
using Prynai.AppHost;

var builder = DistributedApplication.CreateBuilder(args);

// Publish target: an Azure Container Apps environment (registry, Log Analytics, Aspire dashboard).
builder.AddAzureContainerAppEnvironment("env");

// Shared state: Redis in a container on F5; Azure Managed Redis in Azure (access keys, kept in Key Vault).
var cache = builder.AddAzureManagedRedis("cache")
    .WithAccessKeyAuthentication()
    .RunAsContainer();

var entra = EntraSettings.FromParameters(builder);

var mcp = builder.AddProject<Projects.McpServer>("mcp")
    .WithReferenceEnvironment(ReferenceEnvironmentInjectionFlags.ConnectionString)
    .WithReference(cache).WaitFor(cache)
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/healthz")
    .WithEntraAuthentication(entra)
    .PublishAsScaledContainerApp(builder.Configuration.GetSection("ContainerApp").Get<ContainerAppScaling>() ?? new());

// Cosmos DB instead of Redis as the store: the preview emulator on F5; a real account with managed identity in Azure.
if (builder.Configuration.GetValue<bool>("UseCosmos"))
{
    mcp.WithCosmosState(builder.AddPrynaiCosmos("cosmos"));
}

// End-to-end check, started from the dashboard; a manually triggered Container Apps job in Azure.
builder.AddProject<Projects.SmokeClient>("smoke")
    .WithArgs("smoke")
    .WithMcpEndpoint(mcp)
    .WithEntraClientCredentials(entra)
    .WithExplicitStart()
    .PublishAsSmokeJob();

builder.Build().Run();

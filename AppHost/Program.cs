using Microsoft.Extensions.Configuration;
using Prynai.AppHost;

var builder = DistributedApplication.CreateBuilder(args);

// Where it deploys: Azure Container Apps in the Azure flavour (AppHost/Azure); the plain manifest in the local one.
builder.AddDeploymentEnvironment();

// Shared state: Redis — on F5 a container, or a local redis-server when no container runtime answers; deployed, the
// Redis container (local flavour) or Azure Managed Redis (Azure flavour).
var cache = builder.AddPrynaiCache("cache");

var entra = EntraSettings.FromParameters(builder);

var mcp = builder.AddProject<Projects.McpServer>("mcp")
    .WithReferenceEnvironment(ReferenceEnvironmentInjectionFlags.ConnectionString)
    .WithReference(cache).WaitFor(cache)
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/healthz")
    .WithEntraAuthentication(entra)
    .WithEntraSignIn(entra)
    .WithSignInStandIn()
    .WithLocalReplicas()
    .PublishAsScaledContainerApp();

// Cosmos DB instead of Redis as the store: an emulator or a connection string on F5; a real account in Azure.
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

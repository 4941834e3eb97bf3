namespace Prynai.AppHost;

internal static class CosmosState
{
    // McpServer's State:Cosmos defaults, passed explicitly so the deployed names do not hang on a server default.
    private const string DatabaseName = "prynai";
    private const string ContainerName = "state";

    // The support desk's database (McpServer Support:CosmosDatabaseName) and its containers, partitioned for its access paths.
    private const string SupportDatabaseName = "contoso";

    /// <summary>
    /// A Cosmos DB account with the state container (partition key /id) and the support desk's database (customers by
    /// /customerId, catalog by /kind). F5 runs the Linux preview emulator with its
    /// Data Explorer (experimental in Aspire: ASPIRECOSMOSDB001); Azure gets a real account used through the app's
    /// managed identity, no keys.
    /// </summary>
    public static IResourceBuilder<AzureCosmosDBResource> AddPrynaiCosmos(this IDistributedApplicationBuilder builder, string name)
    {
#pragma warning disable ASPIRECOSMOSDB001
        var cosmos = builder.AddAzureCosmosDB(name).RunAsPreviewEmulator(emulator => emulator.WithDataExplorer());
#pragma warning restore ASPIRECOSMOSDB001
        cosmos.AddCosmosDatabase(DatabaseName).AddContainer(ContainerName, "/id");
        var support = cosmos.AddCosmosDatabase(SupportDatabaseName);
        support.AddContainer("customers", "/customerId");
        support.AddContainer("catalog", "/kind");
        return cosmos;
    }

    /// <summary>
    /// Makes Cosmos DB the server's store (it takes precedence over Redis). The emulator speaks only the gateway
    /// protocol on its one endpoint; in Azure the database and container come from the infrastructure, so the server
    /// must not try to create them (its identity has data-plane rights only).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithCosmosState(this IResourceBuilder<ProjectResource> server, IResourceBuilder<AzureCosmosDBResource> cosmos)
    {
        server.WithReference(cosmos).WaitFor(cosmos)
            .WithEnvironment("State__Cosmos__DatabaseName", DatabaseName)
            .WithEnvironment("State__Cosmos__ContainerName", ContainerName)
            .WithEnvironment("Support__CosmosDatabaseName", SupportDatabaseName);
        return server.ApplicationBuilder.ExecutionContext.IsRunMode
            ? server.WithEnvironment("State__Cosmos__ConnectionMode", "Gateway").WithEnvironment("State__Cosmos__LimitToEndpoint", "true")
            : server.WithEnvironment("State__Cosmos__CreateIfMissing", "false");
    }
}

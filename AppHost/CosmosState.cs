namespace Prynai.AppHost;

/// <summary>Cosmos DB as the server's store (AppHost setting <c>UseCosmos</c>); each flavour's AddPrynaiCosmos provides the account.</summary>
internal static class CosmosState
{
    // McpServer's State:Cosmos defaults, passed explicitly so the deployed names do not hang on a server default.
    public const string DatabaseName = "prynai";
    public const string ContainerName = "state";

    // The support desk's database (McpServer Support:CosmosDatabaseName); its containers are customers by
    // /customerId and catalog by /kind.
    public const string SupportDatabaseName = "contoso";

    /// <summary>
    /// Makes Cosmos DB the server's store (it takes precedence over Redis). On F5 the account is an emulator or an
    /// account given as a connection string: the server uses the gateway protocol on that one endpoint. Deployed,
    /// the database and containers come from the infrastructure, so the server must not try to create them (its
    /// identity has data-plane rights only).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithCosmosState(this IResourceBuilder<ProjectResource> server, IResourceBuilder<IResourceWithConnectionString> cosmos)
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

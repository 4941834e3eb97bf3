namespace Prynai.AppHost;

/// <summary>
/// The local flavour (the default build; the Azure flavour is AppHost/Azure with -p:PrynaiAzure=true): what it
/// publishes is the plain Aspire manifest — Redis as a container, the server and the smoke client as projects — which
/// any Aspire deployment tool can read. The methods Program.cs shares with the Azure flavour.
/// </summary>
internal static class LocalPublishing
{
    /// <summary>No compute environment: the manifest describes the application only.</summary>
    public static IDistributedApplicationBuilder AddDeploymentEnvironment(this IDistributedApplicationBuilder builder) => builder;

    /// <summary>
    /// Redis: F5 chooses a container, a local process or none (see <see cref="LocalRedis"/>; null: the server's own
    /// SQLite file); published, the Redis container.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString>? AddPrynaiCache(this IDistributedApplicationBuilder builder, string name) =>
        builder.ExecutionContext.IsRunMode ? builder.AddLocalRedis(name) : builder.AddRedis(name);

    /// <summary>
    /// A Cosmos DB account given as the connection string <c>ConnectionStrings:cosmos</c> (user secrets, or asked for
    /// on the dashboard): the emulator integration (Aspire.Hosting.Azure.CosmosDB) belongs to the Azure flavour.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddPrynaiCosmos(this IDistributedApplicationBuilder builder, string name) =>
        builder.AddConnectionString(name);

    /// <summary>
    /// Replicas and probes are the Azure flavour's (Container Apps); here the project is published as it is, its http
    /// endpoint on the image's port.
    /// </summary>
    public static IResourceBuilder<ProjectResource> PublishAsScaledContainerApp(this IResourceBuilder<ProjectResource> server) => server.WithContainerHttpPort();

    /// <summary>A Container Apps job in the Azure flavour; here a project like the others.</summary>
    public static IResourceBuilder<ProjectResource> PublishAsSmokeJob(this IResourceBuilder<ProjectResource> client) => client;
}

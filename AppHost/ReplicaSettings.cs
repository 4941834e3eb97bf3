using Microsoft.Extensions.Configuration;

namespace Prynai.AppHost;

internal static class ReplicaSettings
{
    /// <summary>
    /// Runs the server as <c>McpReplicas</c> processes behind Aspire's proxy on F5 (default 1), to try locally what
    /// any replica serving any request means. Deployed, Container Apps scaling decides (PublishAsScaledContainerApp).
    /// More than one needs a store the replicas share (Redis or Cosmos DB): the embedded SQLite file serves one process.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithLocalReplicas(this IResourceBuilder<ProjectResource> server, bool sharedStore)
    {
        var replicas = server.ApplicationBuilder.Configuration.GetValue("McpReplicas", 1);
        if (replicas < 1)
        {
            throw new AppHostSettingException($"McpReplicas must be at least 1 (it is {replicas}).");
        }
        if (!server.ApplicationBuilder.ExecutionContext.IsRunMode || replicas == 1)
        {
            return server;
        }
        return sharedStore
            ? server.WithReplicas(replicas)
            : throw new AppHostSettingException($"McpReplicas={replicas} needs a store the replicas share, and Redis cannot run here " +
                "(no container runtime answered and redis-server is not on PATH): install Redis (apt install redis-server, brew install redis), " +
                "start Docker or Podman, or set UseCosmos; or run one replica.");
    }
}

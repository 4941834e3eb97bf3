using Microsoft.Extensions.Configuration;

namespace Prynai.AppHost;

internal static class ReplicaSettings
{
    /// <summary>
    /// Runs the server as <c>McpReplicas</c> processes behind Aspire's proxy on F5 (default 1), to try locally what
    /// any replica serving any request means. Deployed, Container Apps scaling decides (PublishAsScaledContainerApp).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithLocalReplicas(this IResourceBuilder<ProjectResource> server)
    {
        var replicas = server.ApplicationBuilder.Configuration.GetValue("McpReplicas", 1);
        if (replicas < 1)
        {
            throw new DistributedApplicationException($"McpReplicas must be at least 1 (it is {replicas}).");
        }
        return server.ApplicationBuilder.ExecutionContext.IsRunMode && replicas > 1 ? server.WithReplicas(replicas) : server;
    }
}

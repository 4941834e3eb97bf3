namespace Prynai.AppHost;

internal static class SmokeClientWiring
{
    /// <summary>
    /// Points the smoke client at the server's /mcp: the plain HTTP endpoint on F5, the public HTTPS ingress in Azure
    /// (so the check goes through the same front door, TLS and token validation agents use).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithMcpEndpoint(this IResourceBuilder<ProjectResource> client, IResourceBuilder<ProjectResource> server)
    {
        var scheme = client.ApplicationBuilder.ExecutionContext.IsPublishMode ? "https" : "http";
        return client.WithReferenceEnvironment(ReferenceEnvironmentInjectionFlags.ServiceDiscovery)
            .WithReference(server)
            .WithEnvironment("PRYNAI_MCP_URL", ReferenceExpression.Create($"{server.GetEndpoint(scheme)}/mcp"));
    }
}

namespace Prynai.AppHost;

/// <summary>The MCP server as a published container.</summary>
internal static class ServerContainer
{
    /// <summary>
    /// The port the server's image listens on: ASPNETCORE_HTTP_PORTS of the .NET SDK's container images (the image
    /// tests check it). Published as the http endpoint's target port, so the manifest states it and the Container
    /// Apps probes (Azure flavour) use the same number. Aspire's HTTP probe API, which would take it from the
    /// endpoint, is experimental in 13.6 (ASPIREPROBES001).
    /// </summary>
    public const int HttpPort = 8080;

    /// <summary>When publishing, the http endpoint's target port is <see cref="HttpPort"/>; on F5 Aspire picks a free one.</summary>
    public static IResourceBuilder<ProjectResource> WithContainerHttpPort(this IResourceBuilder<ProjectResource> server) =>
        server.ApplicationBuilder.ExecutionContext.IsPublishMode
            ? server.WithEndpoint("http", endpoint => endpoint.TargetPort = HttpPort)
            : server;
}

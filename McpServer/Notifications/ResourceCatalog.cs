using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace Prynai.McpServer.Notifications;

/// <summary>Answers whether a URI names a resource this server serves (directly or through a template).</summary>
internal sealed class ResourceCatalog(ServerOptionsOnDemand options)
{
    public bool Exists(string uri) =>
        Uri.TryCreate(uri, UriKind.Absolute, out _) &&
        options.Value.ResourceCollection?.Any(resource => resource.IsMatch(uri)) == true;
}

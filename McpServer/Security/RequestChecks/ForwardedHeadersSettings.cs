namespace Prynai.McpServer.Security.RequestChecks;

/// <summary>
/// Trusting a reverse proxy's X-Forwarded-Proto/Host/For (section <c>Security:ForwardedHeaders</c>), e.g. Azure
/// Container Apps ingress, so metadata and challenge URLs say https and the public host. Off unless enabled, and then
/// only from the listed proxies or networks — or from anyone when <see cref="TrustAllProxies"/> is set for a platform
/// whose only way in is its own proxy.
/// </summary>
public sealed class ForwardedHeadersSettings
{
    public const string SectionName = "Security:ForwardedHeaders";

    public bool Enabled { get; set; }

    /// <summary>Proxy IP addresses, e.g. "10.0.0.4".</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Proxy networks in CIDR form, e.g. "100.100.0.0/16".</summary>
    public List<string> KnownNetworks { get; set; } = [];

    /// <summary>Accept forwarded headers from any address (only where no client can reach the app except through the proxy).</summary>
    public bool TrustAllProxies { get; set; }
}

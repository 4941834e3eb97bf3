namespace Prynai.McpServer.Security.RequestChecks;

/// <summary>
/// DNS-rebinding protection for the MCP routes (section <c>Security</c>). Loopback hosts and origins are always
/// allowed; public deployments list their host names.
/// </summary>
public sealed class RequestOriginOptions
{
    public const string SectionName = "Security";

    /// <summary>
    /// Host names (without port) a request may address, e.g. "mcp.contoso.com" or "*.azurecontainerapps.io".
    /// "*" allows any host. On Azure Container Apps the app's own domain is added automatically.
    /// </summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>Browser origins allowed to call, e.g. "https://app.contoso.com". Same-origin requests are always allowed.</summary>
    public List<string> AllowedOrigins { get; set; } = [];
}

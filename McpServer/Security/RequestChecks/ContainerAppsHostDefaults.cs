using Microsoft.Extensions.Options;

namespace Prynai.McpServer.Security.RequestChecks;

/// <summary>
/// On Azure Container Apps (which sets CONTAINER_APP_ENV_DNS_SUFFIX), allows the app's own domain and its revision
/// FQDNs without configuration; elsewhere adds nothing.
/// </summary>
internal sealed class ContainerAppsHostDefaults(IConfiguration configuration) : IPostConfigureOptions<RequestOriginOptions>
{
    public void PostConfigure(string? name, RequestOriginOptions options)
    {
        if (configuration["CONTAINER_APP_ENV_DNS_SUFFIX"] is { Length: > 0 } suffix)
        {
            options.AllowedHosts.Add("*." + suffix);
        }
    }
}

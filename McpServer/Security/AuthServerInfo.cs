using Microsoft.Extensions.Options;
using Prynai.McpServer.Resources;

namespace Prynai.McpServer.Security;

/// <summary>Adds the public authentication settings (never keys or secrets) to prynai://server-info.</summary>
internal sealed class AuthServerInfo(IOptions<AuthOptions> options, IHostEnvironment environment) : IServerInfoContributor
{
    public void Contribute(ServerInfoDocument document)
    {
        var auth = options.Value;
        document.Auth.Required = auth.IsRequired(environment.IsDevelopment());
        document.Auth.Issuers = auth switch
        {
            { Authority: { Length: > 0 } authority } => [authority],
            { TenantId: { Length: > 0 } tenant, IsMultiTenant: false } => [$"https://sts.windows.net/{tenant}/", $"https://login.microsoftonline.com/{tenant}/v2.0"],
            { EffectiveAuthority: { } authority } => [authority],
            _ => [],
        };
        document.Auth.Audiences = auth.Audiences;
    }
}

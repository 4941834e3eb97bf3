using Microsoft.Identity.Client;

namespace Prynai.SmokeClient.Tokens;

/// <summary>
/// Entra ID client-credentials settings, from the original system's environment variables: ENTRA_TENANT_ID,
/// ENTRA_CLIENT_ID, ENTRA_CLIENT_SECRET, SERVER_APP_ID_URI (scope "{uri}/.default"), and ENTRA_AUTHORITY to use any
/// other OpenID Connect issuer.
/// </summary>
public sealed record ClientCredentials(string? TenantId, string ClientId, string ClientSecret, string AppIdUri, string? Authority)
{
    public string Scope => $"{AppIdUri.TrimEnd('/')}/.default";

    /// <summary>The settings, or the names of the variables that are missing.</summary>
    public static (ClientCredentials? Credentials, IReadOnlyList<string> Missing) FromEnvironment(string? authorityOverride)
    {
        string? Read(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
        var authority = authorityOverride ?? Read("ENTRA_AUTHORITY");
        var (tenant, client, secret, uri) = (Read("ENTRA_TENANT_ID"), Read("ENTRA_CLIENT_ID"), Read("ENTRA_CLIENT_SECRET"), Read("SERVER_APP_ID_URI"));
        var missing = new List<string>();
        if (tenant is null && authority is null)
        {
            missing.Add("ENTRA_TENANT_ID (or ENTRA_AUTHORITY)");
        }
        if (client is null)
        {
            missing.Add("ENTRA_CLIENT_ID");
        }
        if (secret is null)
        {
            missing.Add("ENTRA_CLIENT_SECRET");
        }
        if (uri is null)
        {
            missing.Add("SERVER_APP_ID_URI");
        }
        return missing.Count > 0 ? (null, missing) : (new ClientCredentials(tenant, client!, secret!, uri!, authority), missing);
    }

    /// <summary>Acquires an app-only access token with MSAL (cached in memory for the process).</summary>
    public async Task<string> AcquireTokenAsync(CancellationToken cancellationToken)
    {
        var builder = ConfidentialClientApplicationBuilder.Create(ClientId).WithClientSecret(ClientSecret);
        builder = Authority is { } authority
            ? builder.WithOidcAuthority(authority)
            : builder.WithAuthority(AzureCloudInstance.AzurePublic, TenantId);
        var result = await builder.Build().AcquireTokenForClient([Scope]).ExecuteAsync(cancellationToken);
        return result.AccessToken;
    }
}

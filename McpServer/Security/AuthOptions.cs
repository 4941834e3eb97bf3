namespace Prynai.McpServer.Security;

/// <summary>
/// Bearer-token authentication of the MCP routes (section <c>Auth</c>). The original system's AUTH_REQUIRED and
/// ENTRA_* variables map here. Microsoft Entra ID by tenant, or any OpenID Connect issuer by authority.
/// </summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>Require a valid token on the MCP routes. Unset: required everywhere except in Development.</summary>
    public bool? Required { get; set; }

    /// <summary>Entra tenant (GUID, or "organizations"/"common" for multi-tenant apps). ENTRA_TENANT_ID.</summary>
    public string? TenantId { get; set; }

    /// <summary>Entra sign-in host.</summary>
    public string Instance { get; set; } = "https://login.microsoftonline.com/";

    /// <summary>Any OpenID Connect issuer (its discovery document lives under it). Overrides the Entra authority.</summary>
    public string? Authority { get; set; }

    /// <summary>Accepted audiences: the server app's client id and its Application ID URI. ENTRA_AUDIENCES.</summary>
    public List<string> Audiences { get; set; } = [];

    /// <summary>Delegated scopes (<c>scp</c>), any one of which admits a caller. ENTRA_REQUIRED_SCOPES.</summary>
    public List<string> RequiredScopes { get; set; } = [];

    /// <summary>App roles (<c>roles</c>, as client-credentials tokens carry), any one of which admits a caller. ENTRA_REQUIRED_APP_ROLES.</summary>
    public List<string> RequiredAppRoles { get; set; } = [];

    /// <summary>Tenants (<c>tid</c>) whose tokens are accepted; empty accepts the configured tenant only. ENTRA_ALLOWED_TENANTS.</summary>
    public List<string> AllowedTenants { get; set; } = [];

    /// <summary>Scopes advertised in protected resource metadata and challenges; default: "{Application ID URI}/.default".</summary>
    public List<string> ScopesSupported { get; set; } = [];

    /// <summary>Tolerance for clock differences in exp/nbf.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Fetch the issuer's metadata over HTTPS only. Only a test issuer on loopback would turn this off.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>Shortest time between two signing-key refreshes triggered by a token with an unknown key id.</summary>
    public TimeSpan MetadataRefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    public bool IsRequired(bool isDevelopment) => Required ?? !isDevelopment;

    public bool IsMultiTenant => TenantId is "organizations" or "common";

    /// <summary>The issuer whose metadata (and signing keys) validate tokens, or null when none is configured.</summary>
    public string? EffectiveAuthority => Authority is { Length: > 0 } authority
        ? authority.TrimEnd('/')
        : TenantId is { Length: > 0 } tenant
            ? $"{Instance.TrimEnd('/')}/{tenant}/v2.0"
            : null;

    /// <summary>Scopes a client should ask for: the configured ones, else "{Application ID URI}/.default".</summary>
    public IReadOnlyList<string> AdvertisedScopes => ScopesSupported.Count > 0
        ? ScopesSupported
        : Audiences.Where(a => a.Contains("://", StringComparison.Ordinal)).Select(a => $"{a.TrimEnd('/')}/.default").Take(1).ToList();
}

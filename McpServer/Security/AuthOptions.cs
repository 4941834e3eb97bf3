using Microsoft.Extensions.Options;

namespace Prynai.McpServer.Security;

/// <summary>
/// Bearer-token authentication of the MCP routes (section <c>Auth</c>). The original system's AUTH_REQUIRED and
/// ENTRA_* variables map here; an <c>AzureAd</c> section (Microsoft.Identity.Web's) fills what <c>Auth</c> leaves unset.
/// Microsoft Entra ID by tenant, or any OpenID Connect issuer by authority.
/// </summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>Microsoft.Identity.Web's own section; its Instance, TenantId, ClientId and Audience(s) are honoured too.</summary>
    public const string AzureAdSectionName = "AzureAd";

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

    /// <summary>
    /// Tests and local development: a PEM certificate trusted (besides the system's) for an HTTPS issuer on loopback,
    /// such as the local OpenID Connect stand-in's self-signed one. Refused for any other issuer.
    /// </summary>
    public string? TrustedLoopbackCertificate { get; set; }

    /// <summary>Shortest time between two signing-key refreshes triggered by a token with an unknown key id.</summary>
    public TimeSpan MetadataRefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How many validated tokens are remembered (each until it expires, with its caller's claims) so that a token sent
    /// again is not validated again; 0 validates every request. Past the limit expired entries go, then all.
    /// </summary>
    public int TokenCacheSize { get; set; } = 10_000;

    public bool IsRequired(bool isDevelopment) => Required ?? !isDevelopment;

    /// <summary>Tokens are validated by Entra's rules (tenant issuers, v1 and v2) rather than by a generic OIDC issuer's.</summary>
    public bool IsEntra => Authority is not { Length: > 0 } && TenantId is { Length: > 0 };

    /// <summary>The server app's client id, as Microsoft.Identity.Web wants one: the GUID among the audiences, else the first.</summary>
    public string? ClientId => Audiences.FirstOrDefault(audience => Guid.TryParse(audience, out _)) ?? Audiences.FirstOrDefault();

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

/// <summary>
/// Binds <see cref="AuthOptions"/>: the <c>Auth</c> section (where the ENTRA_* variables land), then what an
/// <c>AzureAd</c> section says about anything <c>Auth</c> leaves unset. Registration reads the same result.
/// </summary>
internal sealed class AuthOptionsSetup(IConfiguration configuration) : IConfigureOptions<AuthOptions>
{
    public void Configure(AuthOptions options) => Bind(configuration, options);

    public static AuthOptions Read(IConfiguration configuration)
    {
        var options = new AuthOptions();
        Bind(configuration, options);
        return options;
    }

    private static void Bind(IConfiguration configuration, AuthOptions options)
    {
        configuration.GetSection(AuthOptions.SectionName).Bind(options);
        var azureAd = configuration.GetSection(AuthOptions.AzureAdSectionName);
        if (!azureAd.Exists())
        {
            return;
        }
        options.TenantId ??= azureAd[nameof(AuthOptions.TenantId)];
        if (configuration[$"{AuthOptions.SectionName}:{nameof(AuthOptions.Instance)}"] is null && azureAd[nameof(AuthOptions.Instance)] is { Length: > 0 } instance)
        {
            options.Instance = instance;
        }
        if (configuration[$"{AuthOptions.SectionName}:{nameof(AuthOptions.RequireHttpsMetadata)}"] is null &&
            bool.TryParse(azureAd[nameof(AuthOptions.RequireHttpsMetadata)], out var requireHttps))
        {
            options.RequireHttpsMetadata = requireHttps;
        }
        if (options.Audiences.Count == 0)
        {
            string?[] audiences =
            [
                azureAd["ClientId"], azureAd["Audience"], .. azureAd.GetSection("Audiences").Get<string[]>() ?? [],
                .. azureAd.GetSection("TokenValidationParameters:ValidAudiences").Get<string[]>() ?? [],
            ];
            options.Audiences.AddRange(audiences.OfType<string>().Where(a => a.Length > 0).Distinct(StringComparer.Ordinal));
        }
    }
}

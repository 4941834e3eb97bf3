using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Web;
using Microsoft.IdentityModel.Tokens;

namespace Prynai.McpServer.Security.Authentication;

/// <summary>
/// Bearer tokens from Microsoft Entra ID, or from any OpenID Connect issuer, validated by Microsoft.Identity.Web
/// (<c>AddMicrosoftIdentityWebApi</c>) on JwtBearer and configured from <see cref="AuthOptions"/>: signature against
/// the issuer's published keys (refreshed on rotation and on an unknown key id), RS256-family only, the tenant's v1 and
/// v2 issuers (Identity.Web's Entra issuer validator; <c>organizations</c>/<c>common</c> accept any tenant, narrowed by
/// <see cref="AuthOptions.AllowedTenants"/>), several audiences, a small clock skew. A token it accepted is not validated again while it lives (<see cref="BearerTicketCache"/>).
/// </summary>
internal static class IdentityWebBearer
{
    public const string Scheme = "Oidc";

    /// <summary>The HttpClient that fetches the issuer's metadata and keys, for JwtBearer and Identity.Web's issuer validator.</summary>
    public const string MetadataClient = "prynai-issuer-metadata";

    public static readonly string[] Algorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512];

    public static AuthenticationBuilder AddIdentityWebBearer(this AuthenticationBuilder authentication, string? trustedLoopbackCertificate = null)
    {
        var services = authentication.Services;
        // Configure callbacks run in the order they are registered: these settings must be in place before
        // Identity.Web's own callback reads them and chains its handlers onto these events...
        services.AddOptions<JwtBearerOptions>(Scheme).Configure<IOptions<AuthOptions>, IConfiguration, IHttpMessageHandlerFactory>(ConfigureBefore);
        services.AddOptions<MicrosoftIdentityOptions>(Scheme).Configure<IOptions<AuthOptions>, IConfiguration>(ConfigureIdentity);
        authentication.AddMicrosoftIdentityWebApi(_ => { }, _ => { }, Scheme);
        // ...and these correct, after it, what it decides for Entra that does not fit another issuer.
        services.AddOptions<JwtBearerOptions>(Scheme)
            .Configure<IOptions<AuthOptions>>(ConfigureAfter)
            .PostConfigure(DisableLastKnownGood);

        // Metadata is fetched rarely and briefly (no stream), so the standard retry/timeout pipeline fits it.
        services.AddHttpClient(MetadataClient).TrustLoopbackCertificate(trustedLoopbackCertificate).AddStandardResilienceHandler();
        services.Configure<AadIssuerValidatorOptions>(options => options.HttpClientName = MetadataClient);
        services.AddHostedService<IssuerMetadataWarmup>();
        return authentication;
    }

    private static void ConfigureBefore(JwtBearerOptions jwt, IOptions<AuthOptions> options, IConfiguration configuration, IHttpMessageHandlerFactory handlers)
    {
        // Identity.Web's own overloads bind its section onto JwtBearerOptions too (e.g. TokenValidationParameters:ValidIssuers).
        configuration.GetSection(AuthOptions.AzureAdSectionName).Bind(jwt);
        var auth = options.Value;
        jwt.Authority = auth.EffectiveAuthority;
        jwt.RequireHttpsMetadata = auth.RequireHttpsMetadata;
        jwt.BackchannelHttpHandler = handlers.CreateHandler(MetadataClient);
        jwt.MapInboundClaims = false;
        jwt.RefreshOnIssuerKeyNotFound = true;
        jwt.RefreshInterval = auth.MetadataRefreshInterval;
        jwt.IncludeErrorDetails = false;
        jwt.Events = BearerChallenge.CreateEvents();

        var parameters = jwt.TokenValidationParameters;
        parameters.ValidAudiences = auth.Audiences;
        parameters.ValidateAudience = true;
        parameters.ValidAlgorithms = Algorithms;
        parameters.RequireSignedTokens = true;
        parameters.RequireExpirationTime = true;
        parameters.ValidateLifetime = true;
        parameters.ClockSkew = auth.ClockSkew;
        parameters.ValidateWithLKG = false;
        parameters.NameClaimType = "name";
        parameters.RoleClaimType = "roles";
    }

    private static void ConfigureIdentity(MicrosoftIdentityOptions identity, IOptions<AuthOptions> options, IConfiguration configuration)
    {
        configuration.GetSection(AuthOptions.AzureAdSectionName).Bind(identity);
        var auth = options.Value;
        identity.Authority = auth.EffectiveAuthority;
        identity.Instance = auth.Instance;
        identity.TenantId = auth.TenantId;
        identity.ClientId = identity.ClientId is { Length: > 0 } clientId ? clientId : auth.ClientId;
        // Who may call is decided by the MCP policy (Auth:RequiredAppRoles / RequiredScopes, any of); with neither
        // configured any valid token for this API is admitted, as documented, so Identity.Web's own "a token without
        // roles or scopes is refused" rule stays off.
        identity.AllowWebApiToBeAuthorizedByACL = true;
    }

    private static void ConfigureAfter(JwtBearerOptions jwt, IOptions<AuthOptions> options)
    {
        var auth = options.Value;
        if (!auth.IsEntra)
        {
            // Any other OpenID issuer: its discovery document at the URL given (Identity.Web appends /v2.0) and the
            // standard issuer check against that document (Identity.Web's validator applies Entra's tenant rules).
            jwt.Authority = auth.EffectiveAuthority;
            jwt.TokenValidationParameters.IssuerValidator = null;
        }
        // Nothing reads the raw token back from the authentication properties (no on-behalf-of flow); storing it
        // there is an allocation on every request.
        jwt.SaveToken = false;
    }

    /// <summary>
    /// Runs after JwtBearer has created its configuration manager: a signing key the issuer withdrew stops working at
    /// the next refresh instead of living on for an hour as the "last known good" configuration (a withdrawn key may
    /// be a compromised one).
    /// </summary>
    private static void DisableLastKnownGood(JwtBearerOptions options)
    {
        if (options.ConfigurationManager is BaseConfigurationManager manager)
        {
            manager.UseLastKnownGoodConfiguration = false;
        }
    }
}

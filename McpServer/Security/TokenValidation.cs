using System.IdentityModel.Tokens.Jwt;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Prynai.McpServer.Security;

/// <summary>
/// How a bearer token is validated: signature against the issuer's published keys (refreshed on rotation and on an
/// unknown key id), RS256-family only, the tenant's v1 and v2 issuers, several audiences, a small clock skew.
/// </summary>
internal static class TokenValidation
{
    public static readonly string[] Algorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512];

    public static void Configure(JwtBearerOptions options, AuthOptions auth)
    {
        options.Authority = auth.EffectiveAuthority;
        options.RequireHttpsMetadata = auth.RequireHttpsMetadata;
        options.MapInboundClaims = false;
        options.RefreshOnIssuerKeyNotFound = true;
        options.RefreshInterval = auth.MetadataRefreshInterval;
        options.IncludeErrorDetails = false;

        var parameters = options.TokenValidationParameters;
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

        if (auth.Authority is null && auth.TenantId is { } tenant)
        {
            if (auth.IsMultiTenant)
            {
                parameters.IssuerValidator = (issuer, token, _) => ValidateEntraIssuer(issuer, TenantOf(token), auth);
            }
            else
            {
                parameters.ValidIssuers = EntraIssuers(tenant);
            }
        }
    }

    /// <summary>
    /// Runs after JwtBearer has created its configuration manager: a signing key the issuer withdrew stops working at
    /// the next refresh instead of living on for an hour as the "last known good" configuration (a withdrawn key may
    /// be a compromised one).
    /// </summary>
    public static void DisableLastKnownGood(JwtBearerOptions options)
    {
        if (options.ConfigurationManager is BaseConfigurationManager manager)
        {
            manager.UseLastKnownGoodConfiguration = false;
        }
    }

    /// <summary>The v1 and v2 issuers Entra uses for a tenant's access tokens.</summary>
    public static string[] EntraIssuers(string tenantId) =>
        [$"https://sts.windows.net/{tenantId}/", $"https://login.microsoftonline.com/{tenantId}/v2.0"];

    /// <summary>Multi-tenant apps: the issuer must be Entra's, for the tenant the token names (and that tenant allowed).</summary>
    internal static string ValidateEntraIssuer(string issuer, string? tenantId, AuthOptions auth)
    {
        if (tenantId is not null && EntraIssuers(tenantId).Contains(issuer, StringComparer.Ordinal) &&
            (auth.AllowedTenants.Count == 0 || auth.AllowedTenants.Contains(tenantId, StringComparer.OrdinalIgnoreCase)))
        {
            return issuer;
        }
        throw new SecurityTokenInvalidIssuerException("The token's issuer is not an allowed Entra tenant.");
    }

    private static string? TenantOf(SecurityToken token) => token switch
    {
        JsonWebToken jwt when jwt.TryGetPayloadValue("tid", out string tid) => tid,
        JwtSecurityToken jwt => jwt.Payload.TryGetValue("tid", out var tid) ? tid as string : null,
        _ => null,
    };
}

using Microsoft.Extensions.Options;
using Prynai.McpServer.Security.Authentication;

namespace Prynai.McpServer.Security;

/// <summary>
/// Fails closed at startup: authentication that is required but not configured stops the server, naming what is
/// missing, instead of letting it serve unprotected or refuse every request.
/// </summary>
internal sealed class AuthOptionsValidator(IHostEnvironment environment, DevelopmentTokens developmentTokens) : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var problems = new List<string>();
        if (options.TenantId is { Length: > 0 } tenant && !Guid.TryParse(tenant, out _) && !options.IsMultiTenant)
        {
            problems.Add($"Auth:TenantId (ENTRA_TENANT_ID) must be a tenant GUID, \"organizations\" or \"common\"; got \"{tenant}\".");
        }
        if (options.Authority is { Length: > 0 } authority && !Uri.TryCreate(authority, UriKind.Absolute, out _))
        {
            problems.Add($"Auth:Authority must be an absolute URL; got \"{authority}\".");
        }
        else if (options.IsEntra && !Uri.TryCreate(options.Instance, UriKind.Absolute, out _))
        {
            problems.Add($"Auth:Instance must be an absolute URL; got \"{options.Instance}\".");
        }
        else if (options.RequireHttpsMetadata && options.EffectiveAuthority is { } issuer && !issuer.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            // JwtBearer would refuse it on every request (500s, /healthz included): say so once, at start.
            var setting = options.IsEntra ? "Auth:Instance" : "Auth:Authority (ENTRA_AUTHORITY)";
            problems.Add($"{setting} gives the token issuer {issuer}, but its metadata is fetched over HTTPS only: use an https:// URL " +
                "(Auth:RequireHttpsMetadata=false is for a test issuer on loopback).");
        }
        if (options.TrustedLoopbackCertificate is { Length: > 0 } && options.EffectiveAuthority is { } trustedFor && !LoopbackCertificateTrust.IsLoopback(trustedFor))
        {
            problems.Add($"Auth:TrustedLoopbackCertificate is for an issuer on loopback (a local stand-in), but the issuer is {trustedFor}.");
        }
        if (options.AllowedTenants.Any(t => !Guid.TryParse(t, out _)))
        {
            problems.Add("Auth:AllowedTenants (ENTRA_ALLOWED_TENANTS) must list tenant GUIDs.");
        }
        if (options.ClockSkew < TimeSpan.Zero || options.ClockSkew > TimeSpan.FromMinutes(10))
        {
            problems.Add("Auth:ClockSkew must be between 0 and 10 minutes.");
        }
        if (options.TokenCacheSize is < 0 or > 1_000_000)
        {
            problems.Add("Auth:TokenCacheSize must be between 0 (no cache) and 1,000,000 tokens.");
        }

        var configured = options.EffectiveAuthority is not null;
        if (configured && options.Audiences.Count == 0)
        {
            problems.Add("Auth:Audiences (ENTRA_AUDIENCES) is empty: list the server app's client id and/or its Application ID URI (api://…).");
        }

        var developmentOnly = environment.IsDevelopment() && developmentTokens.IsConfigured;
        if (options.IsRequired(environment.IsDevelopment()) && !configured && !developmentOnly)
        {
            problems.Add(
                "Authentication is required (Auth:Required / AUTH_REQUIRED; the default outside Development) but no token issuer is configured. " +
                "Set Auth:TenantId (ENTRA_TENANT_ID) or Auth:Authority, and Auth:Audiences (ENTRA_AUDIENCES) — or set Auth:Required=false to serve without authentication.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}

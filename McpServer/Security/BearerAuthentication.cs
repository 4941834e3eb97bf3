using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Web;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Prynai.McpServer.Security;

/// <summary>The bearer schemes this server has, decided from configuration when it starts.</summary>
internal sealed record BearerSchemes(bool Issuer, bool DevelopmentTokens, bool SignIn = false)
{
    /// <summary>The default scheme: forwards each request to the scheme that can validate its token.</summary>
    public const string Selector = "McpBearer";

    public bool Any => Issuer || DevelopmentTokens;

    /// <summary>Only with two or more schemes does the token's issuer decide; otherwise the one scheme takes every token unread.</summary>
    public bool ChoosesByIssuer => (Issuer && DevelopmentTokens) || SignIn;

    /// <summary>
    /// user-jwts tokens (by their unverified <c>iss</c>) to the Development scheme, Prynai's own sign-in tokens (issued at
    /// this request's base URL) to the sign-in scheme, everything else to the issuer's.
    /// </summary>
    public string For(string? tokenIssuer, HttpRequest? request = null) =>
        SignIn && tokenIssuer is not null && request is not null && tokenIssuer == Prynai.McpServer.SignIn.SignInUrls.Issuer(request) ? Prynai.McpServer.SignIn.SignInBearer.Scheme
        : DevelopmentTokens && (!Issuer || tokenIssuer == Security.DevelopmentTokens.Issuer) ? Security.DevelopmentTokens.Scheme
        : IdentityWebBearer.Scheme;
}

internal static class BearerAuthentication
{
    /// <summary>
    /// The issuer's scheme (<see cref="IdentityWebBearer"/>) when one is configured, user-jwts tokens in Development
    /// when their keys are in user secrets, and the MCP policy: an authenticated caller holding one of the required app
    /// roles or scopes (Identity.Web's RequireScopeOrAppPermission; any caller when neither list is set).
    /// </summary>
    public static void AddBearerAuthentication(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var auth = AuthOptionsSetup.Read(builder.Configuration);
        var signIn = builder.Configuration.GetValue<bool>($"{Prynai.McpServer.SignIn.SignInOptions.SectionName}:{nameof(Prynai.McpServer.SignIn.SignInOptions.Enabled)}");
        var schemes = new BearerSchemes(auth.EffectiveAuthority is not null, DevelopmentTokens.IsConfiguredIn(builder.Configuration, builder.Environment), signIn && auth.EffectiveAuthority is not null);
        services.AddSingleton(schemes);

        // With neither an issuer nor development keys there is no default scheme: nothing could check a token, start-up
        // validation has made sure authentication is not required, and every caller is anonymous.
        var authentication = !schemes.Any
            ? services.AddAuthentication()
            : services.AddAuthentication(BearerSchemes.Selector)
                .AddPolicyScheme(BearerSchemes.Selector, "Bearer token", scheme => scheme.ForwardDefaultSelector = context => schemes.ChoosesByIssuer ? schemes.For(IssuerOf(context), context.Request) : schemes.For(null));
        if (schemes.Issuer)
        {
            authentication.AddIdentityWebBearer(auth.TrustedLoopbackCertificate);
        }
        if (schemes.DevelopmentTokens)
        {
            authentication.AddDevelopmentTokens();
        }
        if (schemes.SignIn)
        {
            Prynai.McpServer.SignIn.SignInBearer.AddSignInBearer(authentication);
        }

        // Identity.Web routes IdentityModel's own log to ILogger, which logs every refused token at Error (expired,
        // wrong audience…): noise any client can provoke, per request. JwtBearer logs each failure itself and
        // prynai.auth.failures counts them by reason, so IdentityModel's log is quiet unless configured.
        builder.Logging.AddFilter("Microsoft.IdentityModel",
            builder.Configuration.GetValue<LogLevel?>("Logging:LogLevel:Microsoft.IdentityModel") ?? LogLevel.Critical);

        services.AddRequiredScopeOrAppPermissionAuthorization();
        services.AddOptions<AuthorizationOptions>().Configure<IOptions<AuthOptions>>((authorization, options) =>
            authorization.AddPolicy(SecurityExtensions.McpPolicy, policy =>
            {
                if (schemes.Any)
                {
                    policy.AddAuthenticationSchemes(BearerSchemes.Selector);
                }
                policy.RequireAuthenticatedUser();
                var settings = options.Value;
                if (settings.RequiredScopes.Count > 0 || settings.RequiredAppRoles.Count > 0)
                {
                    policy.RequireScopeOrAppPermission(settings.RequiredScopes, settings.RequiredAppRoles);
                }
            }));
        WithoutEagerDataProtectionKeys(services);
    }

    /// <summary>
    /// AddAuthentication registers Data Protection, whose hosted service loads the key ring at start — on a new replica
    /// it creates and writes one, about a second of a cold start. Bearer tokens never use Data Protection; anything
    /// that does still gets its keys, on first use.
    /// </summary>
    private static void WithoutEagerDataProtectionKeys(IServiceCollection services)
    {
        const string EagerKeyLoader = "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService";
        foreach (var descriptor in services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.FullName == EagerKeyLoader).ToList())
        {
            services.Remove(descriptor);
        }
    }

    private static readonly JsonWebTokenHandler TokenReader = new();

    // Reading a token to learn its issuer cost more than validating it from the cache (≈ 30 µs against ≈ 20 µs per
    // call, measured); an agent sends the same token for an hour, so its issuer is read once.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string?> Issuers = new(StringComparer.Ordinal);
    private const int MaxRememberedIssuers = 10_000;

    /// <summary>The unverified <c>iss</c> of the bearer token, only to pick which scheme then validates it.</summary>
    private static string? IssuerOf(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var token = header["Bearer ".Length..].Trim();
        if (Issuers.TryGetValue(token, out var known))
        {
            return known;
        }
        var issuer = TokenReader.CanReadToken(token) ? TokenReader.ReadJsonWebToken(token).Issuer : null;
        if (Issuers.Count >= MaxRememberedIssuers)
        {
            Issuers.Clear();
        }
        Issuers[token] = issuer;
        return issuer;
    }
}

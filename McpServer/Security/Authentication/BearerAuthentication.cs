using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Web;

namespace Prynai.McpServer.Security.Authentication;

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
        : DevelopmentTokens && (!Issuer || tokenIssuer == Authentication.DevelopmentTokens.Issuer) ? Authentication.DevelopmentTokens.Scheme
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
                .AddScheme<AuthenticationSchemeOptions, McpBearerHandler>(BearerSchemes.Selector, "Bearer token", _ => { });
        services.AddSingleton<BearerTicketCache>();
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
                // No authentication schemes of its own: the authentication middleware has already authenticated the
                // request with the default scheme (the selector) wherever this policy applies, and naming it again here
                // would authenticate a second time and merge the result into yet another principal, per request.
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
}

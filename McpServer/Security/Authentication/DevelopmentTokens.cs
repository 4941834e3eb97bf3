using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace Prynai.McpServer.Security.Authentication;

/// <summary>
/// Tokens from <c>dotnet user-jwts</c>: accepted only in Development, HS256/384/512 (the tool signs with a symmetric
/// key), issuer <c>dotnet-user-jwts</c>, validated with the signing keys and audiences the tool writes under the
/// standard <c>Authentication:Schemes:Bearer</c> section — into user secrets when run with
/// <c>--appsettings-file</c> pointing there (docs/security.md), so no tracked file changes.
/// </summary>
public sealed class DevelopmentTokens(IConfiguration configuration, IHostEnvironment environment)
{
    /// <summary>The scheme (and configuration section) dotnet user-jwts writes.</summary>
    public const string Scheme = "Bearer";

    public const string Issuer = "dotnet-user-jwts";

    internal static readonly string[] Algorithms = [SecurityAlgorithms.HmacSha256, SecurityAlgorithms.HmacSha384, SecurityAlgorithms.HmacSha512];

    public bool IsConfigured => IsConfiguredIn(configuration, environment);

    public static bool IsConfiguredIn(IConfiguration configuration, IHostEnvironment environment) =>
        environment.IsDevelopment() && configuration.GetSection($"Authentication:Schemes:{Scheme}:SigningKeys").GetChildren().Any();
}

internal static class DevelopmentTokenScheme
{
    /// <summary>
    /// JwtBearer binds the scheme from <c>Authentication:Schemes:Bearer</c> before this runs; this only narrows it:
    /// HMAC algorithms, the audience always checked (no audience configured refuses every token), lifetime required.
    /// Inbound claims are mapped, so the tool's <c>role</c> claims are roles for [Authorize] and for Identity.Web's
    /// app-permission check alike.
    /// </summary>
    public static AuthenticationBuilder AddDevelopmentTokens(this AuthenticationBuilder authentication) =>
        authentication.AddJwtBearer(DevelopmentTokens.Scheme, jwt =>
        {
            var parameters = jwt.TokenValidationParameters;
            parameters.ValidAlgorithms = DevelopmentTokens.Algorithms;
            parameters.ValidateAudience = true;
            parameters.ValidateIssuer = true;
            parameters.ValidateLifetime = true;
            parameters.RequireExpirationTime = true;
            parameters.RequireSignedTokens = true;
            jwt.IncludeErrorDetails = false;
            jwt.Events = BearerChallenge.CreateEvents();
        });
}

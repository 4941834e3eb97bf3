using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Prynai.McpServer.Security;
using Prynai.McpServer.Security.Authentication;
using Prynai.McpServer.SignIn.Tokens;

namespace Prynai.McpServer.SignIn;

/// <summary>
/// The resource server's side of sign-in: Prynai's own access tokens, validated by JwtBearer against the shared signing
/// keys (RS256, <c>at+jwt</c>, unexpired). Issuer and audience are this request's public base URL and canonical MCP URL,
/// so they are checked once the signature is (a token issued at another host, or for another resource, is refused), and
/// so is the family: a revoked one's tokens stop at once. An accepted token is then answered from
/// <see cref="BearerTicketCache"/>, which routes it only for the same base URL and repeats the revocation check per call.
/// </summary>
internal static class SignInBearer
{
    public const string Scheme = "PrynaiSignIn";

    public static AuthenticationBuilder AddSignInBearer(this AuthenticationBuilder authentication)
    {
        authentication.AddJwtBearer(Scheme, _ => { });
        authentication.Services.AddOptions<JwtBearerOptions>(Scheme).Configure<SignInKeys, IOptions<AuthOptions>>((jwt, keys, auth) =>
        {
            jwt.MapInboundClaims = false;
            jwt.IncludeErrorDetails = false;
            jwt.SaveToken = false;
            // A static configuration (not bare IssuerSigningKeys): one object for the process's lifetime, which is what
            // the cache of validated tokens (BearerTicketCache) ties an accepted token to.
            jwt.Configuration = new Microsoft.IdentityModel.Protocols.OpenIdConnect.OpenIdConnectConfiguration();
            foreach (var key in keys.SigningKeys)
            {
                jwt.Configuration.SigningKeys.Add(key);
            }
            var parameters = jwt.TokenValidationParameters;
            parameters.ValidAlgorithms = [SecurityAlgorithms.RsaSha256];
            parameters.ValidTypes = ["at+jwt"];
            parameters.ValidateIssuer = false;
            parameters.ValidateAudience = false;
            parameters.RequireSignedTokens = true;
            parameters.RequireExpirationTime = true;
            parameters.ValidateLifetime = true;
            parameters.ClockSkew = auth.Value.ClockSkew;
            parameters.NameClaimType = "name";
            parameters.RoleClaimType = "roles";
            jwt.Events = Events();
        });
        return authentication;
    }

    private static JwtBearerEvents Events()
    {
        var events = BearerChallenge.CreateEvents();
        var tenantCheck = events.OnTokenValidated;
        events.OnTokenValidated = async context =>
        {
            var request = context.Request;
            var principal = context.Principal!;
            if (principal.FindFirst("iss")?.Value != SignInUrls.Issuer(request))
            {
                context.Fail(new SecurityTokenInvalidIssuerException("The token was issued at another address."));
                return;
            }
            var resource = SignInUrls.Resource(request);
            if (!principal.FindAll("aud").Any(aud => aud.Value == resource))
            {
                context.Fail(new SecurityTokenInvalidAudienceException("The token was issued for another resource."));
                return;
            }
            if (principal.FindFirst(SignInPrincipal.FamilyClaim)?.Value is not { } family ||
                await context.HttpContext.RequestServices.GetRequiredService<GrantRevocations>().IsRevokedAsync(family, context.HttpContext.RequestAborted))
            {
                context.Fail(new SecurityTokenExpiredException("The sign-in this token belongs to was revoked."));
                return;
            }
            await tenantCheck(context);
        };
        return events;
    }
}

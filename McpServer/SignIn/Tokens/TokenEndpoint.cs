using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using Prynai.McpServer.SignIn.Clients;
using Prynai.McpServer.SignIn.Upstream;

namespace Prynai.McpServer.SignIn.Tokens;

/// <summary>
/// The token endpoint's decisions (OpenIddict has already checked the code or refresh token, its expiry, its client,
/// its redirect URI, the PKCE verifier and the resource): a code is redeemed once — a second attempt revokes what the
/// first issued; a refresh token is used once — presenting a rotated one revokes its whole family; and a refresh first
/// renews the upstream sign-in, so a user the upstream issuer no longer signs in loses access at the next refresh.
/// </summary>
internal static partial class TokenEndpoint
{
    public static void MapSignInToken(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost(SignInUrls.Token, ExchangeAsync).AllowAnonymous().DisableAntiforgery();

    private static async Task<IResult> ExchangeAsync(HttpContext context, SignInStore store, GrantRevocations revocations, UpstreamIdentityProvider upstream,
        ClientDirectory clients, IOptions<SignInOptions> options, ILogger<SignInStore> logger)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("The token endpoint is reached only through OpenIddict.");
        var principal = (await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal;
        var family = principal?.FindFirst(SignInPrincipal.FamilyClaim)?.Value;
        if (principal is null || family is null)
        {
            return Refuse("The grant is not valid.");
        }
        var settings = options.Value;
        var ct = context.RequestAborted;
        GrantRecord? grant;
        if (request.IsAuthorizationCodeGrantType())
        {
            var codeId = principal.FindFirst(SignInPrincipal.CodeIdClaim)?.Value ?? "";
            grant = await store.TakeCodeAsync(codeId, ct);
            if (grant is null)
            {
                if (await store.RedeemedCodeFamilyAsync(codeId, ct) is { } issued)
                {
                    LogReplay(logger, "authorization code");
                    await revocations.RevokeAsync(issued, ct);
                }
                return Refuse("The authorization code was already used or has expired; what it issued is revoked.");
            }
            await store.MarkCodeRedeemedAsync(codeId, grant.Id, settings.AuthorizationCodeLifetime + TimeSpan.FromMinutes(1), ct);
            if (context.Items[SignInRequestValidation.VerifiedClient] is SignInClient client)
            {
                await clients.TouchAsync(client, ct);
            }
        }
        else if (request.IsRefreshTokenGrantType())
        {
            var refreshId = principal.FindFirst(SignInPrincipal.RefreshIdClaim)?.Value ?? "";
            if (!await store.TakeRefreshAsync(refreshId, ct))
            {
                if (await store.GetFamilyAsync(family, ct) is not null)
                {
                    LogReplay(logger, "refresh token");
                    await revocations.RevokeAsync(family, ct);
                }
                return Refuse("The refresh token was already used or revoked; sign in again.");
            }
            grant = await store.GetFamilyAsync(family, ct);
            if (grant is null || await revocations.IsRevokedAsync(family, ct))
            {
                return Refuse("This sign-in was revoked or has expired; sign in again.");
            }
            try
            {
                var renewed = await upstream.RenewAsync(grant.UpstreamTokens ?? "", settings.Scopes, ct);
                grant = grant with { User = renewed.User, UpstreamTokens = renewed.ProtectedTokens };
            }
            catch (UpstreamRefusedException ex)
            {
                LogUpstreamRefused(logger, ex.Reason);
                await revocations.RevokeAsync(family, ct);
                return Refuse("The identity provider no longer signs this user in; sign in again.");
            }
        }
        else
        {
            return Results.Forbid(Properties(OpenIddictConstants.Errors.UnsupportedGrantType, "Only authorization_code and refresh_token are supported."),
                [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        }

        var nextRefresh = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        grant = grant with { CurrentRefreshId = nextRefresh };
        await store.SaveFamilyAsync(grant, settings.RefreshTokenLifetime, ct);
        await store.SaveRefreshAsync(nextRefresh, grant.Id, settings.RefreshTokenLifetime, ct);
        return Results.SignIn(SignInPrincipal.For(grant, codeId: null, refreshId: nextRefresh), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static IResult Refuse(string description) =>
        Results.Forbid(Properties(OpenIddictConstants.Errors.InvalidGrant, description), [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);

    private static AuthenticationProperties Properties(string error, string description) => new(new Dictionary<string, string?>
    {
        [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
        [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
    });

    [LoggerMessage(Level = LogLevel.Warning, Message = "A used {Token} was presented again: its sign-in family is revoked")]
    private static partial void LogReplay(ILogger logger, string token);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The identity provider refused to renew a sign-in ({Reason}): its family is revoked")]
    private static partial void LogUpstreamRefused(ILogger logger, string reason);
}

using System.Security.Claims;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Prynai.McpServer.SignIn;

/// <summary>
/// The identity OpenIddict turns into Prynai's tokens: the user's Entra identity (object id, tenant, name) and the roles
/// and scopes Entra granted, for the access token; the grant's family (<c>sid</c>, also in the access token, so a
/// revoked family's tokens stop working) and the single-use ids of its code or refresh token, kept inside those.
/// </summary>
internal static class SignInPrincipal
{
    public const string CodeIdClaim = "prynai_code";
    public const string RefreshIdClaim = "prynai_rt";
    public const string FamilyClaim = "sid";

    private static readonly string[] AccessTokenClaims = [Claims.Subject, "oid", "tid", Claims.Name, Claims.PreferredUsername, "roles", "scp", FamilyClaim];

    public static ClaimsPrincipal For(GrantRecord grant, string? codeId, string? refreshId)
    {
        var identity = new ClaimsIdentity("prynai-signin", Claims.Name, "roles");
        var user = grant.User;
        identity.SetClaim(Claims.Subject, user.ObjectId)
            .SetClaim("oid", user.ObjectId)
            .SetClaim("tid", user.TenantId)
            .SetClaim(Claims.Name, user.Name)
            .SetClaim(Claims.PreferredUsername, user.UserName)
            .SetClaim(FamilyClaim, grant.Id)
            .SetClaim(CodeIdClaim, codeId)
            .SetClaim(RefreshIdClaim, refreshId);
        identity.SetClaims("roles", [.. user.Roles]);
        if (user.Scopes.Count > 0)
        {
            identity.SetClaim("scp", string.Join(' ', user.Scopes));
        }
        identity.SetScopes([.. grant.Scopes, Scopes.OfflineAccess]);
        identity.SetResources(grant.Resource);
        identity.SetDestinations(claim => AccessTokenClaims.Contains(claim.Type) ? [Destinations.AccessToken] : []);
        return new ClaimsPrincipal(identity);
    }
}

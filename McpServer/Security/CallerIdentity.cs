using System.Security.Claims;
using Prynai.McpServer.Security.Authentication;

namespace Prynai.McpServer.Security;

/// <summary>A stable name for the caller behind a request, used to bind sessions to the identity that created them.</summary>
public static class CallerIdentity
{
    /// <summary>
    /// "issuer|tenant|subject" for an authenticated caller (Entra: <c>oid</c>, else <c>sub</c>; apps: <c>azp</c>/<c>appid</c>),
    /// or null for an anonymous one.
    /// </summary>
    public static string? Of(ClaimsPrincipal? user) => user is ReadOnlyClaimsPrincipal cached ? cached.CallerId : Compute(user);

    internal static string? Compute(ClaimsPrincipal? user)
    {
        if (user?.Identity?.IsAuthenticated != true)
        {
            return null;
        }
        var subject = First(user, "oid", "http://schemas.microsoft.com/identity/claims/objectidentifier", "sub", ClaimTypes.NameIdentifier, "azp", "appid");
        var tenant = First(user, "tid", "http://schemas.microsoft.com/identity/claims/tenantid");
        var issuer = First(user, "iss") ?? user.Claims.FirstOrDefault()?.Issuer;
        return $"{issuer}|{tenant}|{subject}";
    }

    private static string? First(ClaimsPrincipal user, params string[] types)
    {
        foreach (var type in types)
        {
            if (user.FindFirst(type)?.Value is { Length: > 0 } value)
            {
                return value;
            }
        }
        return null;
    }
}

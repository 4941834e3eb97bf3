using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.Tokens;

namespace Prynai.McpServer.SignIn.Authorization;

/// <summary>
/// The browser's side of a sign-in: a binding cookie (random, HttpOnly, SameSite=Lax) whose hash every pending request
/// records, so a pending request, its consent form and the upstream callback continue only in the browser that started
/// them; the remembered-user cookie (encrypted) that lets a remembered consent skip the page; and redirects back to the
/// client (RFC 6749 §4.1.2.1 errors, with <c>iss</c> as RFC 9207 asks).
/// </summary>
internal sealed class SignInBrowser(SignInDataProtector protector, TimeProvider time)
{
    public const string BindingCookie = "prynai_signin";
    public const string UserCookie = "prynai_signin_user";
    private const string UserPurpose = "remembered-user";

    public static string NewSecret() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string value) => Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    public static bool HashMatches(string? value, string? hash) =>
        value is { Length: > 0 } && hash is { Length: > 0 } &&
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(value)), Encoding.ASCII.GetBytes(hash));

    /// <summary>The browser's binding value (set now if it has none).</summary>
    public static string Binding(HttpContext context)
    {
        if (context.Request.Cookies[BindingCookie] is { Length: > 20 } existing)
        {
            return existing;
        }
        var value = NewSecret();
        context.Response.Cookies.Append(BindingCookie, value, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = context.Request.IsHttps,
            Path = "/",
            IsEssential = true,
        });
        return value;
    }

    public static bool IsBound(HttpContext context, PendingAuthorization pending) => HashMatches(context.Request.Cookies[BindingCookie], pending.BrowserBindingHash);

    public void RememberUser(HttpContext context, SignedInUser user, TimeSpan lifetime)
    {
        if (lifetime <= TimeSpan.Zero)
        {
            return;
        }
        var expires = time.GetUtcNow() + lifetime;
        var plain = JsonSerializer.SerializeToUtf8Bytes(new RememberedUser(user.Key, expires.ToUnixTimeSeconds()), SignInBrowserJson.Default.RememberedUser);
        context.Response.Cookies.Append(UserCookie, protector.Protect(UserPurpose, plain), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = context.Request.IsHttps,
            Path = "/",
            Expires = expires,
            IsEssential = true,
        });
    }

    /// <summary>The user who last signed in with this browser, if the cookie is ours and unexpired.</summary>
    public string? RememberedUserKey(HttpContext context) =>
        context.Request.Cookies[UserCookie] is { } cookie && protector.Unprotect(UserPurpose, cookie) is { } plain &&
        JsonSerializer.Deserialize(plain, SignInBrowserJson.Default.RememberedUser) is { } user && user.Expires > time.GetUtcNow().ToUnixTimeSeconds()
            ? user.Key
            : null;

    /// <summary>Sends the browser back to the client with an error (only to a redirect URI already checked against the client).</summary>
    public static IResult ClientError(HttpContext context, string redirectUri, string? state, string error, string? description) =>
        Results.Redirect(QueryHelpers.AddQueryString(redirectUri, new Dictionary<string, string?>
        {
            ["error"] = error,
            ["error_description"] = description,
            ["state"] = state is { Length: > 0 } ? state : null,
            ["iss"] = SignInUrls.Issuer(context.Request),
        }.Where(p => p.Value is not null)));

    internal sealed record RememberedUser(string Key, long Expires);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(SignInBrowser.RememberedUser))]
internal sealed partial class SignInBrowserJson : System.Text.Json.Serialization.JsonSerializerContext;

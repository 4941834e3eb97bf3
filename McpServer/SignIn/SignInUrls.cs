using Prynai.McpServer.Security;

namespace Prynai.McpServer.SignIn;

/// <summary>
/// The URLs sign-in speaks of, all built from the request (so behind a trusted proxy they are the public ones):
/// the issuer is the public base URL (OpenIddict's own rule: with a trailing slash), the resource is the canonical
/// MCP URL, and the upstream issuer sends the browser back to the callback.
/// </summary>
internal static class SignInUrls
{
    public const string Authorize = "/authorize";
    public const string Token = "/token";
    public const string Consent = "/authorize/consent";
    public const string Callback = "/signin/callback";
    public const string Jwks = "/.well-known/jwks.json";
    public const string Metadata = "/.well-known/oauth-authorization-server";

    public static string Issuer(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}/";

    public static string Resource(HttpRequest request) => ProtectedResourceMetadata.ResourceUrl(request);

    public static string CallbackUri(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}{Callback}";

    /// <summary>Sign-in pages and endpoints need https, except on loopback (local runs and tests).</summary>
    public static bool IsSecureEnough(HttpRequest request) =>
        request.IsHttps || request.Host.Host is "127.0.0.1" or "localhost" or "[::1]" or "::1";
}

using System.Security.Cryptography;
using System.Text;

namespace Prynai.McpServer.SignIn.Clients;

internal enum ClientSource
{
    Configured,
    MetadataDocument,
    Registered,
}

/// <summary>A client allowed to ask for sign-in, whichever way it registered. A secret makes it confidential.</summary>
internal sealed record SignInClient(string ClientId, string? ClientName, IReadOnlyList<string> RedirectUris, string? SecretHash, ClientSource Source)
{
    public bool IsConfidential => SecretHash is not null;

    /// <summary>What the consent page calls it: its name, or the host of its metadata document.</summary>
    public string DisplayName => ClientName is { Length: > 0 } name ? name : ClientId;

    public bool AcceptsRedirect(string redirectUri) => RedirectUris.Any(registered => RedirectUriRules.Matches(registered, redirectUri));

    public bool SecretMatches(string? secret) =>
        SecretHash is not null && secret is { Length: > 0 } &&
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(HashSecret(secret)), Encoding.ASCII.GetBytes(SecretHash));

    /// <summary>Secrets are kept hashed; they are high-entropy (generated, or configured by an operator), so one SHA-256 suffices.</summary>
    public static string HashSecret(string secret) => Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}

/// <summary>The redirect URIs a client may register, and how a request's redirect URI matches a registered one.</summary>
internal static class RedirectUriRules
{
    private static readonly string[] LoopbackHosts = ["127.0.0.1", "[::1]", "localhost"];
    private static readonly string[] RefusedSchemes = ["javascript", "data", "file", "vbscript", "about", "blob", "ftp", "ws", "wss"];

    /// <summary>
    /// Exact string comparison, except that a loopback http redirect URI matches on any port (RFC 8252 §7.3: a native
    /// app listens on whatever port is free when it asks).
    /// </summary>
    public static bool Matches(string registered, string requested)
    {
        if (string.Equals(registered, requested, StringComparison.Ordinal))
        {
            return true;
        }
        return IsLoopbackHttp(registered, out var a) && IsLoopbackHttp(requested, out var b) &&
               string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase) &&
               string.Equals(a.PathAndQuery, b.PathAndQuery, StringComparison.Ordinal);
    }

    /// <summary>
    /// Why a redirect URI cannot be registered, or null when it can: https, http on a loopback host (RFC 8252 §7.3), or
    /// a private-use scheme of a native app (RFC 8252 §7.1); never a fragment, never a script or data scheme.
    /// </summary>
    public static string? Problem(string uri)
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || uri.Length > 2000)
        {
            return $"'{Shorten(uri)}' is not an absolute URI.";
        }
        if (parsed.Fragment.Length > 0 || uri.Contains('#'))
        {
            return $"'{Shorten(uri)}' has a fragment; redirect URIs must not.";
        }
        if (parsed.Scheme == Uri.UriSchemeHttps)
        {
            return parsed.UserInfo.Length > 0 ? $"'{Shorten(uri)}' carries user information." : null;
        }
        if (parsed.Scheme == Uri.UriSchemeHttp)
        {
            return IsLoopbackHttp(uri, out _) ? null : $"'{Shorten(uri)}' uses http on a host other than loopback (127.0.0.1, [::1], localhost); use https.";
        }
        return RefusedSchemes.Contains(parsed.Scheme, StringComparer.OrdinalIgnoreCase)
            ? $"'{Shorten(uri)}' uses the scheme '{parsed.Scheme}', which cannot be a redirect URI."
            : null;
    }

    public static bool IsLoopbackHttp(string uri, out Uri parsed) =>
        Uri.TryCreate(uri, UriKind.Absolute, out parsed!) && parsed.Scheme == Uri.UriSchemeHttp &&
        LoopbackHosts.Contains(parsed.Host, StringComparer.OrdinalIgnoreCase) && parsed.UserInfo.Length == 0;

    public static string Shorten(string value) => value.Length <= 120 ? value : value[..120] + "…";
}

using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Prynai.TestSupport;

/// <summary>
/// Access tokens shaped as Prynai's sign-in issues them — <c>at+jwt</c>, RS256 with one of its
/// <c>Auth:SignIn:SigningKeys</c>, the key id the first 16 characters of the key's JWK thumbprint — for a test or a
/// benchmark run that needs one without going through a sign-in.
/// </summary>
public static class SignInTokens
{
    /// <summary>The key as the server publishes it in its JWKS (same key id).</summary>
    public static RsaSecurityKey SigningKey(RSA rsa)
    {
        var key = new RsaSecurityKey(rsa);
        key.KeyId = Base64UrlEncoder.Encode(key.ComputeJwkThumbprint())[..16];
        return key;
    }

    /// <summary>
    /// A token valid from now for <paramref name="lifetime"/>; the server's own are issued by its base URL with a
    /// trailing slash (<c>https://host/</c>) for its MCP URL (<c>https://host/mcp</c>).
    /// </summary>
    public static string Mint(RSA signingKey, string issuer, string audience, IDictionary<string, object> claims, TimeSpan lifetime)
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            TokenType = "at+jwt",
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            Claims = claims,
            SigningCredentials = new SigningCredentials(SigningKey(signingKey), SecurityAlgorithms.RsaSha256),
        });
    }
}

using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Prynai.OidcStandIn;

/// <summary>
/// The stand-in's state: its signing key, its clients and users (changeable while it runs, for tests), and the codes
/// and refresh tokens it issued (in memory: one process, like a developer's F5 or a test).
/// </summary>
public sealed class StandInAuthority(StandInOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, IssuedCode> _codes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IssuedRefresh> _refreshTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StandInClient> _clients = new(options.Clients.ToDictionary(c => c.ClientId), StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StandInUser> _users = new(options.Users.ToDictionary(u => u.Id), StringComparer.Ordinal);

    public StandInOptions Options => options;

    public RsaSecurityKey SigningKey { get; } = new(RSA.Create(2048)) { KeyId = "standin-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)) };

    /// <summary>Set once the HTTPS address is known: <c>https://127.0.0.1:port</c>.</summary>
    public string HttpsBase { get; set; } = "";

    public string Issuer => $"{HttpsBase}/{options.TenantId}/v2.0";

    /// <summary>How many times a client redeemed a refresh token (tests check that a sign-in refresh renews upstream).</summary>
    public int RefreshGrants;

    private readonly ConcurrentDictionary<string, string> _documents = new(StringComparer.Ordinal);

    /// <summary>
    /// Serves a JSON document at <c>/documents/{name}</c> over its HTTPS address (a test's OAuth Client ID Metadata
    /// Document: clients require https, and the relying party already trusts this certificate). Returns its URL.
    /// </summary>
    public string PublishDocument(string name, string json)
    {
        _documents[name] = json;
        return $"{HttpsBase}/documents/{name}";
    }

    public string? Document(string name) => _documents.GetValueOrDefault(name);

    public void AddClient(StandInClient client) => _clients[client.ClientId] = client;

    public void AddUser(StandInUser user) => _users[user.Id] = user;

    public StandInClient? Client(string clientId) => _clients.GetValueOrDefault(clientId);

    public StandInUser? User(string id) => _users.GetValueOrDefault(id);

    /// <summary>The user a sign-in is for: named by login_hint or the standin_user cookie (id or user name), else the first configured.</summary>
    public StandInUser? ChooseUser(string? hint) =>
        hint is { Length: > 0 }
            ? _users.Values.FirstOrDefault(u => u.Id == hint || string.Equals(u.UserName, hint, StringComparison.OrdinalIgnoreCase))
            : options.Users.Select(u => _users.GetValueOrDefault(u.Id)).FirstOrDefault(u => u is not null) ?? _users.Values.FirstOrDefault();

    public string IssueCode(IssuedCode code)
    {
        var value = NewHandle();
        _codes[value] = code;
        return value;
    }

    /// <summary>Takes a code out (codes are single use); null when unknown, used or expired.</summary>
    public IssuedCode? RedeemCode(string value) =>
        _codes.TryRemove(value, out var code) && code.Expires > time.GetUtcNow() ? code : null;

    public string IssueRefreshToken(IssuedRefresh refresh)
    {
        var value = NewHandle();
        _refreshTokens[value] = refresh;
        return value;
    }

    /// <summary>Takes a refresh token out (rotated on every use, as Entra's are for public clients).</summary>
    public IssuedRefresh? RedeemRefreshToken(string value) => _refreshTokens.TryRemove(value, out var refresh) ? refresh : null;

    /// <summary>An access token for the API (roles and scopes of the user, or app roles for a client), or an ID token.</summary>
    public string Mint(string audience, IDictionary<string, object> claims, TimeSpan? lifetime = null)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var all = new Dictionary<string, object>(claims) { ["tid"] = options.TenantId, ["ver"] = "2.0" };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience,
            Claims = all,
            IssuedAt = now,
            NotBefore = now.AddMinutes(-1),
            Expires = now + (lifetime ?? options.AccessTokenLifetime),
            SigningCredentials = new SigningCredentials(SigningKey, SecurityAlgorithms.RsaSha256),
        });
    }

    public static Dictionary<string, object> UserClaims(StandInUser user) => new()
    {
        ["sub"] = user.Id,
        ["oid"] = user.Id,
        ["name"] = user.Name,
        ["preferred_username"] = user.UserName,
    };

    /// <summary>Entra's <c>client_info</c> (uid and utid, base64url JSON), which MSAL reads to name the account.</summary>
    public string ClientInfo(StandInUser user) =>
        Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(new JsonObject { ["uid"] = user.Id, ["utid"] = options.TenantId }.ToJsonString()));

    public string Jwks()
    {
        var parameters = SigningKey.Rsa.ExportParameters(false);
        var jwk = new JsonObject
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["kid"] = SigningKey.KeyId,
            ["n"] = Base64UrlEncoder.Encode(parameters.Modulus),
            ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
            ["issuer"] = Issuer,
        };
        return new JsonObject { ["keys"] = new JsonArray(jwk) }.ToJsonString();
    }

    public DateTimeOffset Now => time.GetUtcNow();

    private static string NewHandle() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
}

/// <summary>An authorization code as issued: who signed in, for which client and redirect URI, with which PKCE challenge.</summary>
public sealed record IssuedCode(string ClientId, string RedirectUri, string CodeChallenge, string Scope, string? Nonce, string UserId, DateTimeOffset Expires);

/// <summary>A refresh token as issued: whose, for which client, for which scopes.</summary>
public sealed record IssuedRefresh(string ClientId, string Scope, string UserId);

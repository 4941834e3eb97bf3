using System.Text.Json.Serialization;

namespace Prynai.McpServer.SignIn;

// What sign-in keeps in the state store, as JSON. Every record carries a format version ("v") so a later format can
// read or refuse an older one; all are version 1.

/// <summary>The signed-in user as the upstream issuer described them, and what it granted.</summary>
internal sealed record SignedInUser(
    [property: JsonPropertyName("oid")] string ObjectId,
    [property: JsonPropertyName("tid")] string? TenantId,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("username")] string? UserName,
    [property: JsonPropertyName("roles")] IReadOnlyList<string> Roles,
    [property: JsonPropertyName("scp")] IReadOnlyList<string> Scopes)
{
    /// <summary>Who this is, whichever client they use: the key their consents are remembered under.</summary>
    [JsonIgnore]
    public string Key => $"{TenantId}|{ObjectId}";
}

/// <summary>An authorization request the client made, between /authorize and the upstream callback.</summary>
internal sealed record PendingAuthorization(
    [property: JsonPropertyName("v")] int Version,
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("client")] string ClientId,
    [property: JsonPropertyName("redirect")] string RedirectUri,
    [property: JsonPropertyName("scopes")] IReadOnlyList<string> Scopes,
    [property: JsonPropertyName("resource")] string Resource,
    [property: JsonPropertyName("query")] IReadOnlyDictionary<string, string> Parameters,
    [property: JsonPropertyName("csrf")] string CsrfTokenHash,
    [property: JsonPropertyName("browser")] string BrowserBindingHash,
    [property: JsonPropertyName("upstreamState")] string? UpstreamState = null,
    [property: JsonPropertyName("verifier")] string? UpstreamCodeVerifier = null,
    [property: JsonPropertyName("user")] SignedInUser? User = null,
    [property: JsonPropertyName("upstream")] string? UpstreamTokens = null,
    [property: JsonPropertyName("approved")] bool ApprovedOnPage = false,
    [property: JsonPropertyName("remembered")] string? RememberedUser = null);

/// <summary>A user's approval of a client, remembered for <see cref="SignInOptions.ConsentLifetime"/>.</summary>
internal sealed record ConsentRecord(
    [property: JsonPropertyName("v")] int Version,
    [property: JsonPropertyName("scopes")] IReadOnlyList<string> Scopes,
    [property: JsonPropertyName("at")] DateTimeOffset GrantedAt);

/// <summary>
/// What an authorization code stands for until it is redeemed (and a refresh family from then on): the user, the
/// client, the grant, and the upstream issuer's tokens (encrypted; Prynai renews them on each refresh).
/// </summary>
internal sealed record GrantRecord(
    [property: JsonPropertyName("v")] int Version,
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("client")] string ClientId,
    [property: JsonPropertyName("user")] SignedInUser User,
    [property: JsonPropertyName("scopes")] IReadOnlyList<string> Scopes,
    [property: JsonPropertyName("resource")] string Resource,
    [property: JsonPropertyName("upstream")] string? UpstreamTokens,
    [property: JsonPropertyName("refresh")] string? CurrentRefreshId = null);

/// <summary>A client registered through Dynamic Client Registration (RFC 7591).</summary>
internal sealed record RegisteredClientRecord(
    [property: JsonPropertyName("v")] int Version,
    [property: JsonPropertyName("id")] string ClientId,
    [property: JsonPropertyName("name")] string? ClientName,
    [property: JsonPropertyName("redirects")] IReadOnlyList<string> RedirectUris,
    [property: JsonPropertyName("secret")] string? SecretHash,
    [property: JsonPropertyName("created")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("used")] bool Used = false);

[JsonSerializable(typeof(PendingAuthorization))]
[JsonSerializable(typeof(ConsentRecord))]
[JsonSerializable(typeof(GrantRecord))]
[JsonSerializable(typeof(RegisteredClientRecord))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class SignInJson : JsonSerializerContext;

using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Prynai.TestSupport;

/// <summary>
/// An OpenID Connect issuer on loopback, shaped like an Entra tenant: discovery document, JWKS (with key rotation),
/// a client-credentials token endpoint, and helpers that mint good and deliberately bad tokens. Served over HTTP and
/// HTTPS (a self-signed certificate, exported so a child process can trust it), since MSAL insists on HTTPS. The tests'
/// issuer and the benchmark's (its auth-on runs).
/// </summary>
public sealed class TestOidcIssuer : IAsyncDisposable
{
    public const string TenantId = "11111111-2222-3333-4444-555555555555";
    public const string Audience = "api://prynai-test";
    public const string AudienceGuid = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

    private readonly WebApplication _app;
    private readonly object _gate = new();
    private List<RsaSecurityKey> _published = [];
    private readonly Dictionary<string, (string Secret, string[] Roles)> _clients = new(StringComparer.Ordinal);

    private TestOidcIssuer(WebApplication app, X509Certificate2 certificate)
    {
        _app = app;
        Certificate = certificate;
        SigningKey = NewKey();
        _published = [SigningKey];
    }

    /// <summary>The key tokens are signed with (and that the JWKS publishes).</summary>
    public RsaSecurityKey SigningKey { get; private set; }

    public X509Certificate2 Certificate { get; }

    public string HttpBase { get; private set; } = "";

    public string HttpsBase { get; private set; } = "";

    /// <summary>The issuer claim of its tokens (the HTTPS URL, like Entra's v2 issuer).</summary>
    public string Issuer => $"{HttpsBase}/{TenantId}/v2.0";

    /// <summary>The same issuer reached over plain HTTP (for an in-process server with RequireHttpsMetadata off).</summary>
    public string HttpAuthority => $"{HttpBase}/{TenantId}/v2.0";

    public int MetadataRequests { get; private set; }

    /// <summary>The "iss" of tokens the token endpoint issues (default <see cref="Issuer"/>); e.g. Entra's v2 issuer.</summary>
    public string? IssuedTokenIssuer { get; set; }

    public static async Task<TestOidcIssuer> StartAsync()
    {
        var certificate = CreateCertificate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate));
        });
        var app = builder.Build();
        var issuer = new TestOidcIssuer(app, certificate);

        app.MapGet($"/{TenantId}/v2.0/.well-known/openid-configuration", (HttpContext context) =>
        {
            issuer.MetadataRequests++;
            var self = $"{context.Request.Scheme}://{context.Request.Host}/{TenantId}";
            return Results.Text(new JsonObject
            {
                ["issuer"] = issuer.Issuer,
                ["jwks_uri"] = $"{self}/discovery/v2.0/keys",
                ["token_endpoint"] = $"{self}/oauth2/v2.0/token",
                ["authorization_endpoint"] = $"{self}/oauth2/v2.0/authorize",
                ["response_types_supported"] = new JsonArray("code", "token"),
                ["subject_types_supported"] = new JsonArray("pairwise"),
                ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
                ["token_endpoint_auth_methods_supported"] = new JsonArray("client_secret_post", "client_secret_basic"),
            }.ToJsonString(), "application/json");
        });
        app.MapGet($"/{TenantId}/discovery/v2.0/keys", () => Results.Text(issuer.Jwks(), "application/json"));
        app.MapPost($"/{TenantId}/oauth2/v2.0/token", (Func<HttpContext, Task<IResult>>)issuer.IssueTokenAsync);

        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        issuer.HttpBase = addresses.First(a => a.StartsWith("http:", StringComparison.Ordinal)).Replace("[::1]", "127.0.0.1");
        issuer.HttpsBase = addresses.First(a => a.StartsWith("https:", StringComparison.Ordinal)).Replace("[::1]", "127.0.0.1");
        return issuer;
    }

    /// <summary>Registers a confidential client for the client-credentials grant; its tokens carry these app roles.</summary>
    public void RegisterClient(string clientId, string secret, params string[] roles) => _clients[clientId] = (secret, roles);

    /// <summary>Publishes a new signing key and retires the old one, as Entra does on rotation.</summary>
    public void RotateKeys()
    {
        lock (_gate)
        {
            SigningKey = NewKey();
            _published = [SigningKey];
        }
    }

    /// <summary>Writes the HTTPS certificate as PEM, for SSL_CERT_FILE in a child process.</summary>
    public string ExportCertificate(string path)
    {
        File.WriteAllText(path, Certificate.ExportCertificatePem());
        return path;
    }

    /// <summary>A valid access token, with whatever changes a test needs.</summary>
    public string Mint(
        string audience = Audience, string[]? roles = null, string? scopes = null, string? tenantId = TenantId, string? issuer = null,
        DateTime? notBefore = null, DateTime? expires = null, SecurityKey? key = null, string algorithm = SecurityAlgorithms.RsaSha256,
        string subject = "client-app-oid", string? appId = "client-app")
    {
        var claims = new Dictionary<string, object> { ["sub"] = subject, ["oid"] = subject };
        if (tenantId is not null)
        {
            claims["tid"] = tenantId;
        }
        if (appId is not null)
        {
            claims["azp"] = appId;
        }
        if (roles is { Length: > 0 })
        {
            claims["roles"] = roles;
        }
        if (scopes is not null)
        {
            claims["scp"] = scopes;
        }
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer,
            Audience = audience,
            Claims = claims,
            IssuedAt = notBefore ?? now,
            NotBefore = notBefore ?? now.AddMinutes(-1),
            Expires = expires ?? now.AddMinutes(30),
            SigningCredentials = new SigningCredentials(key ?? SigningKey, algorithm),
        });
    }

    /// <summary>A token with "alg":"none" and no signature.</summary>
    public string MintUnsigned()
    {
        static string Encode(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return $"{Encode("""{"alg":"none","typ":"JWT"}""")}.{Encode($$"""{"iss":"{{Issuer}}","aud":"{{Audience}}","sub":"x","tid":"{{TenantId}}","roles":["MCP.Access","Mcp.Admin"],"nbf":{{now - 60}},"exp":{{now + 600}}}""")}.";
    }

    /// <summary>The algorithm-confusion attack: HS256, keyed with the issuer's public RSA key.</summary>
    public string MintHmacWithPublicKey()
    {
        var publicKeyPem = Encoding.UTF8.GetBytes(SigningKey.Rsa.ExportSubjectPublicKeyInfoPem());
        var key = new SymmetricSecurityKey(publicKeyPem) { KeyId = SigningKey.KeyId };
        return Mint(key: key, algorithm: SecurityAlgorithms.HmacSha256, roles: ["MCP.Access", "Mcp.Admin"]);
    }

    public static RsaSecurityKey NewKey() => new(RSA.Create(2048)) { KeyId = Guid.NewGuid().ToString("N")[..12] };

    /// <summary>The published signing keys as a JWKS document; with <paramref name="keyIssuer"/> each key names its issuer, as Entra's v2 keys do.</summary>
    public string Jwks(string? keyIssuer = null)
    {
        lock (_gate)
        {
            var keys = new JsonArray();
            foreach (var key in _published)
            {
                var parameters = key.Rsa.ExportParameters(false);
                var jwk = new JsonObject
                {
                    ["kty"] = "RSA",
                    ["use"] = "sig",
                    ["kid"] = key.KeyId,
                    ["n"] = Base64UrlEncoder.Encode(parameters.Modulus),
                    ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
                };
                if (keyIssuer is not null)
                {
                    jwk["issuer"] = keyIssuer;
                }
                keys.Add(jwk);
            }
            return new JsonObject { ["keys"] = keys }.ToJsonString();
        }
    }

    private async Task<IResult> IssueTokenAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync();
        var (clientId, secret) = (form["client_id"].ToString(), form["client_secret"].ToString());
        if (context.Request.Headers.Authorization.ToString() is { } basic && basic.StartsWith("Basic ", StringComparison.Ordinal))
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(basic[6..])).Split(':', 2);
            (clientId, secret) = (Uri.UnescapeDataString(pair[0]), Uri.UnescapeDataString(pair[1]));
        }
        if (form["grant_type"] != "client_credentials" || !_clients.TryGetValue(clientId, out var client) || client.Secret != secret)
        {
            return Results.Json(new { error = "invalid_client", error_description = "Unknown client or wrong secret." }, statusCode: 401);
        }
        var scope = form["scope"].ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(s => s.EndsWith("/.default", StringComparison.Ordinal));
        if (scope is null)
        {
            return Results.Json(new { error = "invalid_scope", error_description = "Client credentials need a {resource}/.default scope." }, statusCode: 400);
        }
        var token = Mint(audience: scope[..^"/.default".Length], roles: client.Roles, issuer: IssuedTokenIssuer, appId: clientId, subject: clientId + "-oid");
        return Results.Json(new Dictionary<string, object> { ["token_type"] = "Bearer", ["expires_in"] = 1800, ["ext_expires_in"] = 1800, ["access_token"] = token });
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

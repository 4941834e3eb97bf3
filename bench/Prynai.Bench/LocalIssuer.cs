using System.Net;
using System.Security.Cryptography;
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

namespace Prynai.Bench;

/// <summary>
/// The token issuer of the auth-on runs, on a loopback Kestrel: an RSA key published as JWKS behind an OpenID
/// discovery document, and an RS256 access token for the app role Prynai requires. The server fetches the metadata
/// once (during warm-up), so the issuer costs nothing while load is measured.
/// </summary>
internal sealed class LocalIssuer : IAsyncDisposable
{
    public const string Audience = "api://prynai-bench";
    public const string Role = "MCP.Access";

    private readonly WebApplication _app;
    private readonly RsaSecurityKey _key = new(RSA.Create(2048)) { KeyId = "bench-" + Guid.NewGuid().ToString("N")[..8] };

    private LocalIssuer(WebApplication app) => _app = app;

    /// <summary>The issuer URL (the "iss" of its tokens); its discovery document is under /.well-known/.</summary>
    public string Authority { get; private set; } = "";

    public static async Task<LocalIssuer> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var issuer = new LocalIssuer(app);
        app.MapGet("/.well-known/openid-configuration", () => Results.Text(issuer.Discovery(), "application/json"));
        app.MapGet("/jwks", () => Results.Text(issuer.Jwks(), "application/json"));
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        issuer.Authority = address.TrimEnd('/');
        return issuer;
    }

    /// <summary>An access token as a client-credentials caller holds it: audience, app role, valid for two hours.</summary>
    public string MintToken()
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Authority,
            Audience = Audience,
            Claims = new Dictionary<string, object>
            {
                ["sub"] = "prynai-bench-client",
                ["oid"] = "prynai-bench-client",
                ["azp"] = "prynai-bench",
                ["roles"] = new[] { Role },
            },
            IssuedAt = now,
            NotBefore = now.AddMinutes(-1),
            Expires = now.AddHours(2),
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.RsaSha256),
        });
    }

    private string Discovery() => new JsonObject
    {
        ["issuer"] = Authority,
        ["jwks_uri"] = $"{Authority}/jwks",
        ["response_types_supported"] = new JsonArray("token"),
        ["subject_types_supported"] = new JsonArray("public"),
        ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
    }.ToJsonString();

    private string Jwks()
    {
        var parameters = _key.Rsa.ExportParameters(includePrivateParameters: false);
        var key = new JsonObject
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["alg"] = "RS256",
            ["kid"] = _key.KeyId,
            ["n"] = Base64UrlEncoder.Encode(parameters.Modulus),
            ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
        };
        return new JsonObject { ["keys"] = new JsonArray(key) }.ToJsonString();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _key.Rsa.Dispose();
    }
}

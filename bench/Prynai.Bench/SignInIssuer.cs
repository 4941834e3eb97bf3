using System.Security.Cryptography;
using Prynai.OidcStandIn;

namespace Prynai.Bench;

/// <summary>
/// The issuers of the sign-in runs: the OIDC stand-in (HTTPS, Entra-shaped; sign-in's upstream issuer, which MSAL
/// reaches over HTTPS only) for Entra-shaped tokens, and the server's own sign-in keys for Prynai's tokens. A Prynai
/// token is minted here exactly as the server's sign-in issues it (issuer = its base URL, audience = its MCP URL,
/// <c>at+jwt</c>, RS256 with its key, a sign-in family): what is measured is the resource side, on every call; the
/// sign-in that issues a token happens once an hour and is not on the measured path.
/// </summary>
internal sealed class SignInIssuer : IAsyncDisposable
{
    public const string Audience = "api://prynai-bench";
    public const string Role = "MCP.Access";

    private readonly RSA _signing = RSA.Create(2048);
    private readonly string _directory = Directory.CreateTempSubdirectory("prynai-bench-signin-").FullName;

    private SignInIssuer(StandInHost standIn) => StandIn = standIn;

    public StandInHost StandIn { get; }

    public string CertificatePath => Path.Combine(_directory, "standin.pem");

    public string SigningKeyPem => _signing.ExportPkcs8PrivateKeyPem();

    public string EncryptionKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static async Task<SignInIssuer> StartAsync(CancellationToken cancellationToken)
    {
        var standIn = await StandInHost.StartAsync(new StandInOptions
        {
            ApiAudience = Audience,
            Clients = [new StandInClient { ClientId = "prynai-bench-signin", ClientSecret = "bench-secret", RedirectUris = ["http://127.0.0.1:*"], Roles = [Role] }],
        }, cancellationToken: cancellationToken);
        var issuer = new SignInIssuer(standIn);
        standIn.ExportCertificate(issuer.CertificatePath);
        return issuer;
    }

    /// <summary>An Entra-shaped app token (client credentials at the stand-in: v2 issuer, tid, roles), valid two hours.</summary>
    public string MintEntraShaped() => StandIn.Authority.Mint(Audience, new Dictionary<string, object>
    {
        ["sub"] = "prynai-bench-client", ["oid"] = "prynai-bench-client", ["azp"] = "prynai-bench-signin", ["roles"] = new[] { Role },
    }, TimeSpan.FromHours(2));

    /// <summary>A sign-in access token of the server at <paramref name="baseUrl"/>, as its token endpoint issues them.</summary>
    public string MintSignIn(string baseUrl) => SignInTokens.Mint(_signing, baseUrl + "/", baseUrl + "/mcp", new Dictionary<string, object>
    {
        ["sub"] = "bench-user", ["oid"] = "bench-user", ["tid"] = StandIn.Authority.Options.TenantId, ["name"] = "Bench User",
        ["roles"] = new[] { Role }, ["sid"] = "bench-family", ["client_id"] = "bench-client", ["scope"] = Audience + "/.default offline_access",
    }, TimeSpan.FromHours(1));

    public async ValueTask DisposeAsync()
    {
        await StandIn.DisposeAsync();
        _signing.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}

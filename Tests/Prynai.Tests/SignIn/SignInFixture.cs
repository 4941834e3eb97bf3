using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Prynai.OidcStandIn;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.SignIn;

/// <summary>
/// The Entra stand-in and one Prynai server with sign-in on (real Kestrel, a real port: browsers, npm clients and the
/// conformance suite reach it), shared by the sign-in tests. Three users: Alice (MCP.Access + Mcp.Admin), Bob
/// (MCP.Access), Carol (no roles; the server requires MCP.Access, so she gets 403 insufficient_scope).
/// </summary>
public sealed class SignInFixture : IAsyncLifetime
{
    public const string Audience = "api://prynai-test";
    public const string UpstreamClientId = "prynai-signin";
    public const string PublicClientId = "preregistered-public";
    public const string ConfidentialClientId = "preregistered-confidential";
    public const string ConfidentialSecret = "confidential-client-secret-0123456789";

    public static readonly StandInUser Alice = new() { Id = "a11ce000-0000-0000-0000-000000000001", Name = "Alice Admin", UserName = "alice@contoso.test", Roles = ["MCP.Access", "Mcp.Admin"], Scopes = ["Mcp.Access"] };
    public static readonly StandInUser Bob = new() { Id = "b0b00000-0000-0000-0000-000000000002", Name = "Bob Reader", UserName = "bob@contoso.test", Roles = ["MCP.Access"], Scopes = ["Mcp.Access"] };
    public static readonly StandInUser Carol = new() { Id = "ca201000-0000-0000-0000-000000000003", Name = "Carol Nobody", UserName = "carol@contoso.test" };

    private readonly TempDirectory _directory = new("signin");

    public StandInHost StandIn { get; private set; } = null!;

    public KestrelServer Server { get; private set; } = null!;

    /// <summary>The settings the server runs with (a second replica takes the same, with its own store).</summary>
    public Dictionary<string, string?> Settings { get; private set; } = null!;

    public string BaseUrl => Server.BaseAddress.GetLeftPart(UriPartial.Authority);

    /// <summary>The issuer: the public base URL with OpenIddict's trailing slash.</summary>
    public string Issuer => BaseUrl + "/";

    public string McpUrl => BaseUrl + "/mcp";

    public async ValueTask InitializeAsync()
    {
        StandIn = await StartStandInAsync(_directory);
        Settings = ServerSettings(StandIn, _directory.File("standin.pem"));
        Server = KestrelServer.Start(settings: Settings);
    }

    /// <summary>A stand-in with the three users and Prynai's upstream app registered (any loopback redirect).</summary>
    public static async Task<StandInHost> StartStandInAsync(TempDirectory directory)
    {
        var standIn = await StandInHost.StartAsync(new StandInOptions
        {
            ApiAudience = Audience,
            Clients = [new StandInClient { ClientId = UpstreamClientId, ClientSecret = "upstream-secret", RedirectUris = ["http://127.0.0.1:*", "http://localhost:*"] }],
            Users = [Alice, Bob, Carol],
        }, cancellationToken: TestContext.Current.CancellationToken);
        standIn.ExportCertificate(directory.File("standin.pem"));
        return standIn;
    }

    /// <summary>Sign-in on, against the stand-in, with shared keys, two pre-registered clients and loopback metadata documents.</summary>
    public static Dictionary<string, string?> ServerSettings(StandInHost standIn, string certificatePath)
    {
        using var rsa = RSA.Create(2048);
        return new Dictionary<string, string?>
        {
            ["Auth:Required"] = "true",
            ["Auth:Authority"] = standIn.Issuer,
            ["Auth:TrustedLoopbackCertificate"] = certificatePath,
            ["Auth:Audiences:0"] = Audience,
            ["Auth:RequiredAppRoles:0"] = "MCP.Access",
            ["Auth:SignIn:Enabled"] = "true",
            ["Auth:SignIn:ClientId"] = UpstreamClientId,
            ["Auth:SignIn:ClientSecret"] = "upstream-secret",
            ["Auth:SignIn:SigningKeys:0"] = rsa.ExportPkcs8PrivateKeyPem(),
            ["Auth:SignIn:EncryptionKeys:0"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Auth:SignIn:ClientMetadataDocuments:AllowLoopback"] = "true",
            // Every test registers from 127.0.0.1; the limit has its own test.
            ["Auth:SignIn:DynamicRegistration:PerAddress"] = "100000",
            ["Auth:SignIn:Clients:0:ClientId"] = PublicClientId,
            ["Auth:SignIn:Clients:0:ClientName"] = "Pre-registered public client",
            ["Auth:SignIn:Clients:0:RedirectUris:0"] = "http://127.0.0.1/callback",
            ["Auth:SignIn:Clients:1:ClientId"] = ConfidentialClientId,
            ["Auth:SignIn:Clients:1:ClientName"] = "Pre-registered confidential client",
            ["Auth:SignIn:Clients:1:ClientSecret"] = ConfidentialSecret,
            ["Auth:SignIn:Clients:1:RedirectUris:0"] = "http://127.0.0.1/callback",
        };
    }

    /// <summary>A headless browser in which <paramref name="user"/> is the one the stand-in signs in.</summary>
    public HeadlessSignIn Browser(StandInUser user) => new(user.Id, StandIn.Certificate);

    public HttpClient Http() => new() { BaseAddress = new Uri(BaseUrl) };

    /// <summary>Registers a public client dynamically (RFC 7591) with one redirect URI; returns its client_id.</summary>
    public async Task<string> RegisterAsync(string redirectUri, string name = "Test client")
    {
        using var http = Http();
        using var response = await http.PostAsJsonAsync("/register", new { client_name = name, redirect_uris = new[] { redirectUri }, token_endpoint_auth_method = "none" }, Ct);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!["client_id"]!.GetValue<string>();
    }

    public string AuthorizeUrl(string clientId, string redirectUri, Pkce pkce, string state = "s1", string? resource = null, string? scope = null, IDictionary<string, string?>? extra = null)
    {
        var query = new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = clientId,
            ["redirect_uri"] = redirectUri,
            ["state"] = state,
            ["code_challenge"] = pkce.Challenge,
            ["code_challenge_method"] = "S256",
            ["resource"] = resource ?? McpUrl,
            ["scope"] = scope,
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            query[key] = value;
        }
        return QueryHelpers.AddQueryString(BaseUrl + "/authorize", query.Where(p => p.Value is not null));
    }

    /// <summary>Signs <paramref name="user"/> in headless with a dynamically registered public client; the token response.</summary>
    public async Task<JsonObject> SignInAsync(StandInUser user, string? clientId = null, string redirectUri = "http://127.0.0.1:9/cb")
    {
        clientId ??= await RegisterAsync(redirectUri);
        var pkce = Pkce.New();
        using var browser = Browser(user);
        var landed = await browser.FollowAsync(AuthorizeUrl(clientId, redirectUri, pkce), redirectUri, cancellationToken: Ct)
            ?? throw new InvalidOperationException($"The sign-in stopped at a page: {browser.LastPage}");
        var code = QueryHelpers.ParseQuery(landed.Query)["code"].ToString();
        using var response = await RedeemAsync(clientId, code, redirectUri, pkce.Verifier);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(Ct);
        return response.IsSuccessStatusCode ? body! : throw new InvalidOperationException($"Token request failed: {body}");
    }

    public async Task<HttpResponseMessage> RedeemAsync(string clientId, string code, string redirectUri, string verifier, string? resource = null, string? secret = null)
    {
        using var http = Http();
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["client_id"] = clientId,
            ["code"] = code,
            ["redirect_uri"] = redirectUri,
            ["code_verifier"] = verifier,
            ["resource"] = resource ?? McpUrl,
        };
        if (secret is not null)
        {
            form["client_secret"] = secret;
        }
        return await http.PostAsync("/token", new FormUrlEncodedContent(form), Ct);
    }

    public async Task<HttpResponseMessage> RefreshAsync(string clientId, string refreshToken, string? secret = null)
    {
        using var http = Http();
        var form = new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["client_id"] = clientId, ["refresh_token"] = refreshToken };
        if (secret is not null)
        {
            form["client_secret"] = secret;
        }
        return await http.PostAsync("/token", new FormUrlEncodedContent(form), Ct);
    }

    /// <summary>An MCP C# client calling this server with a bearer token.</summary>
    public async Task<McpClient> ConnectAsync(string accessToken)
    {
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(McpUrl),
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = $"Bearer {accessToken}" },
        });
        return await McpClient.CreateAsync(transport, new McpClientOptions { ClientInfo = new Implementation { Name = "signin-tests", Version = "1" } }, cancellationToken: Ct);
    }

    public async Task<HttpResponseMessage> CallMcpAsync(string accessToken)
    {
        using var http = Http();
        var request = McpHttp.StatelessRequest("tools/list");
        request.RequestUri = new Uri(McpUrl);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return await http.SendAsync(request, Ct);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await StandIn.DisposeAsync();
        _directory.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class SignInCollection : ICollectionFixture<SignInFixture>
{
    public const string Name = "sign-in";
}

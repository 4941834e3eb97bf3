using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Prynai.Tests.Infrastructure;
using Prynai.Tests.Transport;

namespace Prynai.Tests.SignIn;

/// <summary>
/// Each bad input the issue names gets a clear OAuth error (RFC 6749 §5.2 JSON with no-store at the token endpoint,
/// §4.1.2.1 at the authorization endpoint, an error page where redirecting would be unsafe): never a 500, never a token.
/// </summary>
[Collection(SignInCollection.Name)]
public sealed class SignInBadInputTests(SignInFixture fixture)
{
    private const string Redirect = "http://127.0.0.1:9/bad";

    [Fact]
    public async Task UnknownClient_AndUnregisteredRedirect_GetAnErrorPage_NeverARedirect()
    {
        var clientId = await fixture.RegisterAsync(Redirect);
        foreach (var url in new[]
                 {
                     fixture.AuthorizeUrl("no-such-client", Redirect, Pkce.New()),
                     fixture.AuthorizeUrl(clientId, "http://127.0.0.1:9/elsewhere", Pkce.New()),
                     fixture.AuthorizeUrl(clientId, "https://attacker.example/cb", Pkce.New()),
                 })
        {
            using var browser = fixture.Browser(SignInFixture.Bob);
            Assert.Null(await browser.FollowAsync(url, "http", cancellationToken: Ct));
            Assert.Equal(HttpStatusCode.BadRequest, browser.LastStatus);
            Assert.Contains("cannot be served", browser.LastPage);
        }
    }

    [Theory]
    [InlineData("code_challenge", null, "invalid_request")]
    [InlineData("code_challenge_method", "plain", "invalid_request")]
    [InlineData("response_type", "token", "unsupported_response_type")]
    [InlineData("resource", "http://other.example/mcp", "invalid_target")]
    [InlineData("scope", "unknown.scope", "invalid_scope")]
    public async Task BadAuthorizationParameter_GoesBackToTheClientAsAnError(string parameter, string? value, string error)
    {
        var clientId = await fixture.RegisterAsync(Redirect);
        var url = fixture.AuthorizeUrl(clientId, Redirect, Pkce.New(), state: "keep");
        var query = QueryHelpers.ParseQuery(new Uri(url).Query).ToDictionary(p => p.Key, p => (string?)p.Value.ToString());
        query[parameter] = value;
        using var browser = fixture.Browser(SignInFixture.Bob);

        var landed = await browser.FollowAsync(QueryHelpers.AddQueryString(fixture.BaseUrl + "/authorize", query.Where(p => p.Value is not null)), Redirect, cancellationToken: Ct);

        Assert.NotNull(landed);
        var answer = QueryHelpers.ParseQuery(landed.Query);
        Assert.Equal(error, answer["error"].ToString());
        Assert.Equal("keep", answer["state"].ToString());
        Assert.False(answer.ContainsKey("code"));
    }

    [Fact]
    public async Task WrongVerifier_WrongRedirect_OtherResource_OtherClient_AreRefusedAtTheTokenEndpoint()
    {
        var clientId = await fixture.RegisterAsync(Redirect);
        var other = await fixture.RegisterAsync(Redirect);
        var (code, pkce) = await CodeAsync(clientId);

        foreach (var (response, error) in new[]
                 {
                     (await fixture.RedeemAsync(clientId, code, Redirect, Pkce.New().Verifier), "invalid_grant"),
                     (await fixture.RedeemAsync(clientId, code, "http://127.0.0.1:9/other", pkce.Verifier), "invalid_grant"),
                     (await fixture.RedeemAsync(clientId, code, Redirect, pkce.Verifier, resource: "http://other.example/mcp"), "invalid_target"),
                     (await fixture.RedeemAsync(other, code, Redirect, pkce.Verifier), "invalid_grant"),
                     (await fixture.RedeemAsync(clientId, code, Redirect, pkce.Verifier, secret: "a-public-client-has-none"), "invalid_client"),
                 })
        {
            using (response)
            {
                await AssertTokenErrorAsync(response, error);
            }
        }
    }

    [Theory]
    [InlineData("/.well-known/oauth-authorization-server")]
    [InlineData("/authorize?client_id=x")]
    [InlineData("/signin/callback?state=x")]
    public async Task PlainHttp_ToANonLoopbackHost_IsRefused(string path)
    {
        using var http = fixture.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = "mcp.contoso.com";
        using var response = await http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("requires https", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task UnsupportedGrantType_IsRefused()
    {
        using var http = fixture.Http();
        using var response = await http.PostAsync("/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["username"] = "a", ["password"] = "b", ["client_id"] = SignInFixture.PublicClientId,
        }), Ct);
        await AssertTokenErrorAsync(response, "unsupported_grant_type");
    }

    [Fact]
    public async Task TamperedState_AtTheUpstreamCallback_GetsAnErrorPage()
    {
        using var http = fixture.Http();
        using var response = await http.GetAsync("/signin/callback?state=forged&code=whatever", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("does not belong to a sign-in in progress", await response.Content.ReadAsStringAsync(Ct));
    }

    [Theory]
    [InlineData("https://10.1.2.3/client.json", "private")]
    [InlineData("https://169.254.169.254/latest/client.json", "private")]
    [InlineData("https://127.0.0.1:1/client.json", "could not be reached")]
    [InlineData("http://example.com/client.json", "must be an https URL")]
    public async Task MetadataDocumentClientId_Unusable_IsRefusedWithAnErrorPage(string clientId, string why)
    {
        using var browser = fixture.Browser(SignInFixture.Bob);
        Assert.Null(await browser.FollowAsync(fixture.AuthorizeUrl(clientId, Redirect, Pkce.New()), "http://127.0.0.1:9/", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.BadRequest, browser.LastStatus);
        Assert.Contains(why, browser.LastPage);
    }

    [Fact]
    public async Task MetadataDocument_TooLarge_OrNotListingTheRedirect_IsRefused()
    {
        var large = fixture.StandIn.Authority.PublishDocument("large.json", "");
        fixture.StandIn.Authority.PublishDocument("large.json", new JsonObject
        {
            ["client_id"] = large, ["client_name"] = "Large", ["redirect_uris"] = new JsonArray(Redirect), ["padding"] = new string('x', 10_000),
        }.ToJsonString());
        var narrow = fixture.StandIn.Authority.PublishDocument("narrow.json", "");
        fixture.StandIn.Authority.PublishDocument("narrow.json", new JsonObject
        {
            ["client_id"] = narrow, ["client_name"] = "Narrow", ["redirect_uris"] = new JsonArray("http://127.0.0.1/only-this"),
        }.ToJsonString());

        using var browser = fixture.Browser(SignInFixture.Bob);
        Assert.Null(await browser.FollowAsync(fixture.AuthorizeUrl(large, Redirect, Pkce.New()), Redirect, cancellationToken: Ct));
        Assert.Contains("larger than", browser.LastPage);
        Assert.Null(await browser.FollowAsync(fixture.AuthorizeUrl(narrow, Redirect, Pkce.New()), Redirect, cancellationToken: Ct));
        Assert.Contains("is not one the client registered", WebUtility.HtmlDecode(browser.LastPage));
    }

    [Theory]
    [InlineData("""{"redirect_uris":["javascript:alert(1)"]}""", "invalid_redirect_uri")]
    [InlineData("""{"redirect_uris":["http://example.com/cb"]}""", "invalid_redirect_uri")]
    [InlineData("""{"redirect_uris":["https://ok.example/cb#frag"]}""", "invalid_redirect_uri")]
    [InlineData("""{"redirect_uris":[]}""", "invalid_redirect_uri")]
    [InlineData("""{"redirect_uris":["https://ok.example/cb"],"grant_types":["password"]}""", "invalid_client_metadata")]
    [InlineData("""{"redirect_uris":["https://ok.example/cb"],"token_endpoint_auth_method":"private_key_jwt"}""", "invalid_client_metadata")]
    [InlineData("""not json""", "invalid_client_metadata")]
    public async Task Registration_WithBadMetadata_IsRefused(string body, string error)
    {
        using var http = fixture.Http();
        using var response = await http.PostAsync("/register", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(error, (await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task RegistrationFlood_FromOneAddress_Gets429()
    {
        var settings = new Dictionary<string, string?>(fixture.Settings) { ["Auth:SignIn:DynamicRegistration:PerAddress"] = "3" };
        await using var strict = KestrelServer.Start(settings: settings);
        using var http = new HttpClient { BaseAddress = strict.BaseAddress };

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await http.PostAsJsonAsync("/register", new { redirect_uris = new[] { Redirect }, token_endpoint_auth_method = "none" }, Ct);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task TokenForAnotherAudience_OrIssuer_IsRefusedAtMcp_AsInvalidToken()
    {
        using var rsa = RSA.Create();
        rsa.ImportFromPem(fixture.Settings["Auth:SignIn:SigningKeys:0"]);
        string Mint(string audience, string issuer) => SignInTokens.Mint(rsa, issuer, audience,
            new Dictionary<string, object> { ["sub"] = "x", ["oid"] = "x", ["sid"] = "family", ["roles"] = new[] { "MCP.Access" } }, TimeSpan.FromMinutes(5));

        using var otherAudience = await fixture.CallMcpAsync(Mint("http://other.example/mcp", fixture.Issuer));
        Assert.Equal(HttpStatusCode.Unauthorized, otherAudience.StatusCode);
        Assert.Contains("another resource", otherAudience.Headers.WwwAuthenticate.ToString());

        using var wellFormed = await fixture.CallMcpAsync(Mint(fixture.McpUrl, fixture.Issuer));
        Assert.Equal(HttpStatusCode.OK, wellFormed.StatusCode);
    }

    [Fact]
    public async Task RotatedSigningKeys_BothArePublished_AndTheOldKeysTokensStillValidate()
    {
        using var newKey = RSA.Create(2048);
        var settings = new Dictionary<string, string?>(fixture.Settings)
        {
            ["Auth:SignIn:SigningKeys:0"] = newKey.ExportPkcs8PrivateKeyPem(),
            ["Auth:SignIn:SigningKeys:1"] = fixture.Settings["Auth:SignIn:SigningKeys:0"],
        };
        await using var rotated = KestrelServer.Start(settings: settings);
        var baseUrl = rotated.BaseAddress.GetLeftPart(UriPartial.Authority);
        using var http = new HttpClient { BaseAddress = rotated.BaseAddress };

        var jwks = (await http.GetFromJsonAsync<JsonObject>("/.well-known/jwks.json", Ct))!["keys"]!.AsArray();
        Assert.Equal(2, jwks.Count);

        using var oldKey = RSA.Create();
        oldKey.ImportFromPem(fixture.Settings["Auth:SignIn:SigningKeys:0"]);
        Assert.Contains(jwks, k => k!["kid"]!.GetValue<string>() == SignInTokens.SigningKey(oldKey).KeyId);
        var token = SignInTokens.Mint(oldKey, baseUrl + "/", baseUrl + "/mcp",
            new Dictionary<string, object> { ["sub"] = "x", ["oid"] = "x", ["sid"] = "rotation-family", ["roles"] = new[] { "MCP.Access" } }, TimeSpan.FromMinutes(5));
        var request = McpHttp.StatelessRequest("tools/list");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task GeneratedBadInput_AtTheSignInEndpoints_NeverGets5xxOrAnErrorLog()
    {
        var clientId = await fixture.RegisterAsync(Redirect);
        var generator = new BadInputGenerator(20261207, [], []);
        var targets = new SignInTargets(clientId, Redirect, fixture.McpUrl);
        var requests = Enumerable.Range(0, 800).Select(_ => generator.NextSignIn(targets)).ToList();
        fixture.Server.Logs.Clear();

        var results = new ConcurrentBag<(RawHttpRequest Request, RawHttpResponse Response)>();
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 6, CancellationToken = Ct }, async (request, ct) =>
            results.Add((request, await RawHttp.SendAsync(new Uri(fixture.BaseUrl), request, TimeSpan.FromSeconds(10), ct))));

        var output = TestContext.Current.TestOutputHelper!;
        output.WriteLine($"{results.Count} requests; statuses: " + string.Join(", ", results.GroupBy(r => r.Response.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}×{g.Count()}")));
        var bad = results.Where(r => r.Response.Status >= 500 || (r.Response.Status == 0 && r.Request.Framing != BodyFraming.TruncatedBody)).ToList();
        foreach (var (request, response) in bad.Take(30))
        {
            output.WriteLine($"  {response.Status} {request.Description} → {response.Body[..Math.Min(200, response.Body.Length)]}");
        }
        Assert.Empty(bad.Select(r => $"{r.Response.Status} {r.Request.Description}"));
        Assert.DoesNotContain(results, r => r.Response.Body.Contains("\"access_token\"", StringComparison.Ordinal));
        Assert.Empty(fixture.Server.Logs.Failures.Select(e => e.ToString()));
    }

    private async Task<(string Code, Pkce Pkce)> CodeAsync(string clientId)
    {
        var pkce = Pkce.New();
        using var browser = fixture.Browser(SignInFixture.Bob);
        var landed = await browser.FollowAsync(fixture.AuthorizeUrl(clientId, Redirect, pkce), Redirect, cancellationToken: Ct);
        return (QueryHelpers.ParseQuery(landed!.Query)["code"].ToString(), pkce);
    }

    private static async Task AssertTokenErrorAsync(HttpResponseMessage response, string error)
    {
        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized, $"{response.StatusCode}");
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.ToString());
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!;
        Assert.Equal(error, body["error"]!.GetValue<string>());
        Assert.Null(body["access_token"]);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}

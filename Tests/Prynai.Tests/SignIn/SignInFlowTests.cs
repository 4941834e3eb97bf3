using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.JsonWebTokens;
using ModelContextProtocol.Client;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.SignIn;

/// <summary>The whole sign-in against the Entra stand-in: discovery, registration, consent, upstream sign-in, tokens, refresh.</summary>
[Collection(SignInCollection.Name)]
public sealed class SignInFlowTests(SignInFixture fixture)
{
    [Fact]
    public async Task Metadata_DescribesThisServer_AndProtectedResourceMetadataPointsAtIt()
    {
        using var http = fixture.Http();
        var metadata = (await http.GetFromJsonAsync<JsonObject>("/.well-known/oauth-authorization-server", Ct))!;
        Assert.Equal(fixture.Issuer, metadata["issuer"]!.GetValue<string>());
        Assert.Equal(fixture.BaseUrl + "/authorize", metadata["authorization_endpoint"]!.GetValue<string>());
        Assert.Equal(fixture.BaseUrl + "/token", metadata["token_endpoint"]!.GetValue<string>());
        Assert.Equal(fixture.BaseUrl + "/register", metadata["registration_endpoint"]!.GetValue<string>());
        Assert.True(metadata["client_id_metadata_document_supported"]!.GetValue<bool>());
        Assert.Equal(["S256"], metadata["code_challenge_methods_supported"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Equal(["code"], metadata["response_types_supported"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Contains("none", metadata["token_endpoint_auth_methods_supported"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Contains("refresh_token", metadata["grant_types_supported"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.NotNull(metadata["jwks_uri"]);
        Assert.True(metadata["authorization_response_iss_parameter_supported"]!.GetValue<bool>());

        var resource = (await http.GetFromJsonAsync<JsonObject>("/.well-known/oauth-protected-resource/mcp", Ct))!;
        Assert.Equal([fixture.Issuer], resource["authorization_servers"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal(fixture.McpUrl, resource["resource"]!.GetValue<string>());
    }

    [Fact]
    public async Task DynamicClient_SignsIn_AndItsTokenCarriesTheUserAndTheirRoles()
    {
        var tokens = await fixture.SignInAsync(SignInFixture.Alice);

        Assert.Equal("Bearer", tokens["token_type"]!.GetValue<string>());
        Assert.NotNull(tokens["refresh_token"]);
        var access = new JsonWebToken(tokens["access_token"]!.GetValue<string>());
        Assert.Equal(fixture.Issuer, access.Issuer);
        Assert.Equal([fixture.McpUrl], access.Audiences);
        Assert.Equal(SignInFixture.Alice.Id, access.GetClaim("oid").Value);
        Assert.Equal("Alice Admin", access.GetClaim("name").Value);
        Assert.Contains(access.Claims, c => c.Type == "roles" && c.Value == "Mcp.Admin");
        Assert.InRange(access.ValidTo - access.IssuedAt, TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));

        await using var client = await fixture.ConnectAsync(tokens["access_token"]!.GetValue<string>());
        Assert.Contains("reset_counter", (await client.ListToolsAsync(cancellationToken: Ct)).Select(t => t.Name));
        var reset = await client.CallToolAsync("reset_counter", cancellationToken: Ct);
        Assert.NotEqual(true, reset.IsError);
    }

    [Fact]
    public async Task UserWithoutTheRequiredRole_Gets403InsufficientScope()
    {
        var tokens = await fixture.SignInAsync(SignInFixture.Carol);
        using var response = await fixture.CallMcpAsync(tokens["access_token"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("error=\"insufficient_scope\"", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task UserWithoutTheToolsRole_DoesNotSeeIt_AndIsRefused()
    {
        var tokens = await fixture.SignInAsync(SignInFixture.Bob);
        await using var client = await fixture.ConnectAsync(tokens["access_token"]!.GetValue<string>());

        Assert.DoesNotContain("reset_counter", (await client.ListToolsAsync(cancellationToken: Ct)).Select(t => t.Name));
        var refused = await Assert.ThrowsAsync<ModelContextProtocol.McpProtocolException>(async () => await client.CallToolAsync("reset_counter", cancellationToken: Ct));
        Assert.Contains("Mcp.Admin", refused.Message);
    }

    [Fact]
    public async Task Refresh_RotatesTheToken_RenewsUpstream_AndAReusedOneRevokesTheFamily()
    {
        var redirect = "http://127.0.0.1:9/refresh";
        var clientId = await fixture.RegisterAsync(redirect);
        var tokens = await fixture.SignInAsync(SignInFixture.Bob, clientId, redirect);
        var first = tokens["refresh_token"]!.GetValue<string>();
        var upstreamBefore = fixture.StandIn.Authority.RefreshGrants;

        using var refreshed = await fixture.RefreshAsync(clientId, first);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var next = (await refreshed.Content.ReadFromJsonAsync<JsonObject>(Ct))!;
        var second = next["refresh_token"]!.GetValue<string>();
        Assert.NotEqual(first, second);
        Assert.True(fixture.StandIn.Authority.RefreshGrants > upstreamBefore, "the refresh renewed the upstream sign-in");
        using (var ok = await fixture.CallMcpAsync(next["access_token"]!.GetValue<string>()))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var replay = await fixture.RefreshAsync(clientId, first);
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Equal("invalid_grant", (await replay.Content.ReadFromJsonAsync<JsonObject>(Ct))!["error"]!.GetValue<string>());
        Assert.Equal("no-store", replay.Headers.CacheControl?.ToString());

        using var familyGone = await fixture.RefreshAsync(clientId, second);
        Assert.Equal(HttpStatusCode.BadRequest, familyGone.StatusCode);
        using var accessGone = await fixture.CallMcpAsync(next["access_token"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Unauthorized, accessGone.StatusCode);
    }

    [Fact]
    public async Task Refresh_OfAUserDisabledUpstream_IsRefused()
    {
        var user = new Prynai.OidcStandIn.StandInUser { Id = Guid.NewGuid().ToString(), Name = "Dave", UserName = "dave@contoso.test", Roles = ["MCP.Access"] };
        fixture.StandIn.Authority.AddUser(user);
        var redirect = "http://127.0.0.1:9/disabled";
        var clientId = await fixture.RegisterAsync(redirect);
        var tokens = await fixture.SignInAsync(user, clientId, redirect);

        user.Disabled = true;
        using var refused = await fixture.RefreshAsync(clientId, tokens["refresh_token"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("invalid_grant", (await refused.Content.ReadFromJsonAsync<JsonObject>(Ct))!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Code_IsSingleUse_AndAReusedCodeRevokesWhatItIssued()
    {
        var redirect = "http://127.0.0.1:9/code";
        var clientId = await fixture.RegisterAsync(redirect);
        var pkce = Pkce.New();
        using var browser = fixture.Browser(SignInFixture.Bob);
        var landed = await browser.FollowAsync(fixture.AuthorizeUrl(clientId, redirect, pkce, state: "xyz"), redirect, cancellationToken: Ct);
        var query = QueryHelpers.ParseQuery(landed!.Query);
        Assert.Equal("xyz", query["state"].ToString());
        Assert.Equal(fixture.Issuer, query["iss"].ToString());

        using var first = await fixture.RedeemAsync(clientId, query["code"].ToString(), redirect, pkce.Verifier);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var tokens = (await first.Content.ReadFromJsonAsync<JsonObject>(Ct))!;

        using var second = await fixture.RedeemAsync(clientId, query["code"].ToString(), redirect, pkce.Verifier);
        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
        Assert.Equal("invalid_grant", (await second.Content.ReadFromJsonAsync<JsonObject>(Ct))!["error"]!.GetValue<string>());

        using var revoked = await fixture.RefreshAsync(clientId, tokens["refresh_token"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, revoked.StatusCode);
        using var accessGone = await fixture.CallMcpAsync(tokens["access_token"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Unauthorized, accessGone.StatusCode);
    }

    [Fact]
    public async Task Deny_SendsAccessDeniedToTheClient()
    {
        var redirect = "http://127.0.0.1:9/deny";
        var clientId = await fixture.RegisterAsync(redirect);
        using var browser = fixture.Browser(SignInFixture.Bob);
        var landed = await browser.FollowAsync(fixture.AuthorizeUrl(clientId, redirect, Pkce.New(), state: "st"), redirect, decision: "deny", cancellationToken: Ct);

        var query = QueryHelpers.ParseQuery(landed!.Query);
        Assert.Equal("access_denied", query["error"].ToString());
        Assert.Equal("st", query["state"].ToString());
        Assert.False(query.ContainsKey("code"));
    }

    [Fact]
    public async Task ApprovalIsRemembered_ForTheSameUserAndClient()
    {
        var redirect = "http://127.0.0.1:9/remember";
        var clientId = await fixture.RegisterAsync(redirect);
        using var browser = fixture.Browser(SignInFixture.Alice);
        Assert.NotNull(await browser.FollowAsync(fixture.AuthorizeUrl(clientId, redirect, Pkce.New()), redirect, cancellationToken: Ct));
        Assert.Equal(1, browser.ConsentPages);

        Assert.NotNull(await browser.FollowAsync(fixture.AuthorizeUrl(clientId, redirect, Pkce.New()), redirect, cancellationToken: Ct));
        Assert.Equal(1, browser.ConsentPages);
    }

    [Fact]
    public async Task AnotherUserSigningInWithARememberedBrowser_DecidesForThemselves()
    {
        var redirect = "http://127.0.0.1:9/switch";
        var clientId = await fixture.RegisterAsync(redirect);
        using (var bobsBrowser = fixture.Browser(SignInFixture.Bob))
        {
            Assert.NotNull(await bobsBrowser.FollowAsync(fixture.AuthorizeUrl(clientId, redirect, Pkce.New()), redirect, cancellationToken: Ct));
        }
        using var browser = fixture.Browser(SignInFixture.Alice);
        Assert.NotNull(await browser.FollowAsync(fixture.AuthorizeUrl(clientId, redirect, Pkce.New()), redirect, cancellationToken: Ct));
        Assert.Equal(1, browser.ConsentPages);

        // Alice is remembered, but Carol signs in at the identity provider: Carol sees the consent page herself.
        browser.Cookies.Add(new System.Net.Cookie("standin_user", SignInFixture.Carol.Id, "/", "127.0.0.1"));
        Assert.NotNull(await browser.FollowAsync(fixture.AuthorizeUrl(clientId, redirect, Pkce.New()), redirect, cancellationToken: Ct));
        Assert.Equal(2, browser.ConsentPages);

        // Bob approved this client before (in another browser): his approval stands, no page.
        browser.Cookies.Add(new System.Net.Cookie("standin_user", SignInFixture.Bob.Id, "/", "127.0.0.1"));
        var landed = await browser.FollowAsync(fixture.AuthorizeUrl(clientId, redirect, Pkce.New()), redirect, cancellationToken: Ct);
        Assert.False(string.IsNullOrEmpty(QueryHelpers.ParseQuery(landed!.Query)["code"]));
        Assert.Equal(2, browser.ConsentPages);
    }

    [Fact]
    public async Task ConfidentialClient_MustAuthenticate()
    {
        var redirect = "http://127.0.0.1:9/callback";
        var pkce = Pkce.New();
        using var browser = fixture.Browser(SignInFixture.Bob);
        var landed = await browser.FollowAsync(fixture.AuthorizeUrl(SignInFixture.ConfidentialClientId, redirect, pkce), redirect, cancellationToken: Ct);
        var code = QueryHelpers.ParseQuery(landed!.Query)["code"].ToString();

        using var unauthenticated = await fixture.RedeemAsync(SignInFixture.ConfidentialClientId, code, redirect, pkce.Verifier);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
        Assert.Equal("invalid_client", (await unauthenticated.Content.ReadFromJsonAsync<JsonObject>(Ct))!["error"]!.GetValue<string>());

        using var authenticated = await fixture.RedeemAsync(SignInFixture.ConfidentialClientId, code, redirect, pkce.Verifier, secret: SignInFixture.ConfidentialSecret);
        Assert.Equal(HttpStatusCode.OK, authenticated.StatusCode);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Prynai.OidcStandIn;
using Prynai.Tests.Infrastructure;
using Prynai.Tests.State;

namespace Prynai.Tests.SignIn;

/// <summary>
/// Two replicas on one Redis, behind one public address (A's; requests routed to B keep that Host, as a load balancer
/// does): the authorization request on A, the upstream callback and the code redemption on B, the refresh on A —
/// and a refresh token replayed on B revokes the family on both.
/// </summary>
public sealed class SignInReplicaTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private readonly TempDirectory _directory = new("signin-replicas");
    private StandInHost _standIn = null!;

    public async ValueTask InitializeAsync() => _standIn = await SignInFixture.StartStandInAsync(_directory);

    [Fact]
    public async Task AuthorizeOnA_CallbackAndTokenOnB_RefreshOnA_AllSucceed_AndReuseOnBRevokesOnA()
    {
        var settings = SignInFixture.ServerSettings(_standIn, _directory.File("standin.pem"));
        settings["ConnectionStrings:cache"] = $"127.0.0.1:{redis.Server.Port}";
        await using var a = KestrelServer.Start(settings: settings);
        await using var b = KestrelServer.Start(settings: settings);
        var publicBase = a.BaseAddress.GetLeftPart(UriPartial.Authority);
        var served = new List<string>();
        void Route(HttpRequestMessage request, string path)
        {
            if (!request.RequestUri!.AbsoluteUri.StartsWith(publicBase, StringComparison.Ordinal))
            {
                return;
            }
            var toB = path switch
            {
                "/signin/callback" => true,
                "/authorize" => request.RequestUri.Query.Contains("prynai_request=", StringComparison.Ordinal),
                _ => false,
            };
            served.Add($"{path}@{(toB ? "B" : "A")}");
            if (toB)
            {
                request.Headers.Host = request.RequestUri.Authority;
                request.RequestUri = new UriBuilder(request.RequestUri) { Port = b.BaseAddress.Port }.Uri;
            }
        }
        using var http = new HttpClient();
        var redirect = "http://127.0.0.1:9/replicas";
        using var registered = await http.PostAsJsonAsync(publicBase + "/register", new { redirect_uris = new[] { redirect }, token_endpoint_auth_method = "none" }, Ct);
        var clientId = (await registered.Content.ReadFromJsonAsync<JsonObject>(Ct))!["client_id"]!.GetValue<string>();
        var pkce = Pkce.New();
        var authorize = QueryHelpers.AddQueryString(publicBase + "/authorize", new Dictionary<string, string?>
        {
            ["response_type"] = "code", ["client_id"] = clientId, ["redirect_uri"] = redirect, ["state"] = "r",
            ["code_challenge"] = pkce.Challenge, ["code_challenge_method"] = "S256", ["resource"] = publicBase + "/mcp",
        });

        using var browser = new HeadlessSignIn(SignInFixture.Alice.Id, _standIn.Certificate, request => Route(request, request.RequestUri!.AbsolutePath));
        var landed = await browser.FollowAsync(authorize, redirect, cancellationToken: Ct);
        Assert.NotNull(landed);
        Assert.Equal(["/authorize@A", "/authorize/consent@A", "/signin/callback@B", "/authorize@B"], served);

        var tokens = await TokenAsync(b, publicBase, new()
        {
            ["grant_type"] = "authorization_code", ["client_id"] = clientId, ["code"] = QueryHelpers.ParseQuery(landed.Query)["code"].ToString(),
            ["redirect_uri"] = redirect, ["code_verifier"] = pkce.Verifier, ["resource"] = publicBase + "/mcp",
        });
        Assert.Equal(HttpStatusCode.OK, await McpStatusAsync(b, publicBase, tokens["access_token"]!.GetValue<string>()));

        var firstRefresh = tokens["refresh_token"]!.GetValue<string>();
        var refreshed = await TokenAsync(a, publicBase, new() { ["grant_type"] = "refresh_token", ["client_id"] = clientId, ["refresh_token"] = firstRefresh });
        var access = refreshed["access_token"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, await McpStatusAsync(a, publicBase, access));
        Assert.Equal(HttpStatusCode.OK, await McpStatusAsync(b, publicBase, access));

        var replay = await TokenAsync(b, publicBase, new() { ["grant_type"] = "refresh_token", ["client_id"] = clientId, ["refresh_token"] = firstRefresh }, expectSuccess: false);
        Assert.Equal("invalid_grant", replay["error"]!.GetValue<string>());
        await Eventually.TrueAsync(() => McpStatusAsync(a, publicBase, access).GetAwaiter().GetResult() == HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(10),
            "the family revoked on B must stop its access token on A");
    }

    private static async Task<JsonObject> TokenAsync(KestrelServer replica, string publicBase, Dictionary<string, string> form, bool expectSuccess = true)
    {
        using var http = new HttpClient { BaseAddress = replica.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/token") { Content = new FormUrlEncodedContent(form) };
        request.Headers.Host = new Uri(publicBase).Authority;
        using var response = await http.SendAsync(request, Ct);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!;
        Assert.True(response.IsSuccessStatusCode == expectSuccess, body.ToJsonString());
        return body;
    }

    private static async Task<HttpStatusCode> McpStatusAsync(KestrelServer replica, string publicBase, string accessToken)
    {
        using var http = new HttpClient { BaseAddress = replica.BaseAddress };
        var request = McpHttp.StatelessRequest("tools/list");
        request.Headers.Host = new Uri(publicBase).Authority;
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await http.SendAsync(request, Ct);
        return response.StatusCode;
    }

    public async ValueTask DisposeAsync()
    {
        await _standIn.DisposeAsync();
        _directory.Dispose();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}

using System.Net;
using System.Net.Http.Headers;
using Microsoft.IdentityModel.JsonWebTokens;
using Prynai.McpServer.Security;
using Prynai.McpServer.Security.Authentication;
using Prynai.McpServer.SignIn.Tokens;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.SignIn;

/// <summary>
/// Sign-in tokens answered from the cache of validated tokens keep every check that depends on more than the token:
/// their grant's revocation (per call), and the public base URL they were issued at (issuer and audience).
/// </summary>
[Collection(SignInCollection.Name)]
public sealed class SignInTokenCacheTests(SignInFixture fixture)
{
    [Fact]
    public async Task CachedSignInToken_StopsWorking_AsSoonAsItsGrantIsRevoked()
    {
        var access = (await fixture.SignInAsync(SignInFixture.Bob))["access_token"]!.GetValue<string>();
        var cache = fixture.Server.Services.GetRequiredService<BearerTicketCache>();
        for (var i = 0; i < 2; i++)
        {
            using var ok = await fixture.CallMcpAsync(access);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        Assert.Equal(McpServer.SignIn.SignInBearer.Scheme, cache.Find(access)?.Scheme);

        var family = new JsonWebToken(access).GetClaim("sid").Value;
        await fixture.Server.Services.GetRequiredService<GrantRevocations>().RevokeAsync(family, Ct);

        using var revoked = await fixture.CallMcpAsync(access);
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        Assert.Null(cache.Find(access));
    }

    [Fact]
    public async Task CachedSignInToken_IsRefusedAtAnotherBaseUrl()
    {
        var access = (await fixture.SignInAsync(SignInFixture.Bob))["access_token"]!.GetValue<string>();
        using (var ok = await fixture.CallMcpAsync(access))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        // The same server reached under another name: the token was issued at (and for) the 127.0.0.1 address.
        using var http = new HttpClient();
        var request = McpHttp.StatelessRequest("tools/list");
        request.RequestUri = new Uri(fixture.McpUrl.Replace("127.0.0.1", "localhost", StringComparison.Ordinal));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", access);
        using var elsewhere = await http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, elsewhere.StatusCode);
    }

    [Fact]
    public async Task UpstreamTokenOnASignInServer_IsValidatedOnceByTheIssuerScheme()
    {
        var token = fixture.StandIn.Authority.Mint(SignInFixture.Audience, new Dictionary<string, object>
        {
            ["sub"] = "cache-test-client", ["oid"] = "cache-test-client", ["azp"] = "cache-test-client", ["roles"] = new[] { "MCP.Access" },
        }, TimeSpan.FromMinutes(10));
        var cache = fixture.Server.Services.GetRequiredService<BearerTicketCache>();

        for (var i = 0; i < 2; i++)
        {
            using var ok = await fixture.CallMcpAsync(token);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        Assert.Equal(IdentityWebBearer.Scheme, cache.Find(token)?.Scheme);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}

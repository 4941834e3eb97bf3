using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;
using Prynai.McpServer.Security;
using Prynai.McpServer.Security.Authentication;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Security;

/// <summary>
/// The cache of validated bearer tokens in front of Identity.Web's scheme: a token is validated once and then answered
/// from memory — but never after it expires, never once the issuer's keys it was checked against are gone, never for a
/// refusal, never for an anonymous request, and never with a caller a request could change for the others.
/// </summary>
public sealed class BearerTicketCacheTests(IssuerFixture fixture) : IClassFixture<IssuerFixture>
{
    private TestOidcIssuer Issuer => fixture.Issuer;

    [Fact]
    public async Task Token_IsValidatedOnce_ThenAnsweredFromTheCache()
    {
        var validations = new ValidationCounter();
        using var server = Server(validations);
        var token = Issuer.Mint();

        for (var i = 0; i < 3; i++)
        {
            using var response = await StatelessCalls.ListToolsAsync(server, token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(1, validations.Count);
        Assert.Equal(1, server.Services.GetRequiredService<BearerTicketCache>().Count);
    }

    [Fact]
    public async Task CacheSizeOfZero_ValidatesEveryRequest()
    {
        var validations = new ValidationCounter();
        using var server = Server(validations, new() { ["Auth:TokenCacheSize"] = "0" });
        var token = Issuer.Mint();

        for (var i = 0; i < 3; i++)
        {
            using var response = await StatelessCalls.ListToolsAsync(server, token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(3, validations.Count);
    }

    [Fact]
    public async Task CachedToken_IsRefusedOnceItExpires()
    {
        using var server = Server(settings: new() { ["Auth:ClockSkew"] = "00:00:00" });
        var expires = DateTime.UtcNow.AddSeconds(3);
        var token = Issuer.Mint(expires: expires);
        using (var fresh = await StatelessCalls.ListToolsAsync(server, token))
        {
            Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        }
        using (var again = await StatelessCalls.ListToolsAsync(server, token))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        // exp has one-second precision: wait until it has certainly passed.
        await Eventually.TrueAsync(() => DateTime.UtcNow > expires.AddSeconds(1.1), TimeSpan.FromSeconds(10));
        using var expired = await StatelessCalls.ListToolsAsync(server, token);

        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Contains("The token has expired.", expired.Headers.WwwAuthenticate.Single().Parameter);
    }

    [Fact]
    public async Task CachedTokenWhoseSigningKeyWasWithdrawn_IsRefusedAfterTheKeysAreRefreshed()
    {
        await using var issuer = await TestOidcIssuer.StartAsync();
        using var server = new PrynaiServerFactory(new Dictionary<string, string?>
        {
            ["Auth:Authority"] = issuer.HttpAuthority,
            ["Auth:RequireHttpsMetadata"] = "false",
            ["Auth:Audiences:0"] = TestOidcIssuer.Audience,
            ["Auth:MetadataRefreshInterval"] = "00:00:01",
        }, environment: "Production");
        var signedWithOldKey = issuer.Mint();
        using (var before = await StatelessCalls.ListToolsAsync(server, signedWithOldKey))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }
        using (var cached = await StatelessCalls.ListToolsAsync(server, signedWithOldKey))
        {
            Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
        }

        issuer.RotateKeys();
        await Task.Delay(TimeSpan.FromSeconds(1.2), Ct);
        // A token with the new key id makes the server refetch the issuer's keys; once one is accepted, the server's
        // configuration is the new one.
        await Eventually.TrueAsync(() =>
        {
            using var rotated = StatelessCalls.ListToolsAsync(server, issuer.Mint()).GetAwaiter().GetResult();
            return rotated.StatusCode == HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(10), "a token signed with the new key should be accepted");

        using var withdrawn = await StatelessCalls.ListToolsAsync(server, signedWithOldKey);
        Assert.Equal(HttpStatusCode.Unauthorized, withdrawn.StatusCode);
        Assert.Contains("The token's signature is not valid.", withdrawn.Headers.WwwAuthenticate.Single().Parameter);
    }

    [Fact]
    public async Task RefusedTokensAndAnonymousRequests_AreNeverCached()
    {
        var validations = new ValidationCounter();
        using var server = Server(validations);
        var cache = server.Services.GetRequiredService<BearerTicketCache>();

        using (var anonymous = await server.CreateClient().SendAsync(McpHttp.StatelessRequest("tools/list"), Ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }
        var wrongAudience = Issuer.Mint(audience: "api://someone-else");
        for (var i = 0; i < 2; i++)
        {
            using var refused = await StatelessCalls.ListToolsAsync(server, wrongAudience);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task TenantOutsideTheAllowList_IsRefusedEveryTime()
    {
        using var server = Server(settings: new() { ["Auth:AllowedTenants:0"] = "99999999-9999-9999-9999-999999999999" });
        var token = Issuer.Mint();

        for (var i = 0; i < 2; i++)
        {
            using var refused = await StatelessCalls.ListToolsAsync(server, token);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Contains("The token's tenant is not allowed.", refused.Headers.WwwAuthenticate.Single().Parameter);
        }
        Assert.Equal(0, server.Services.GetRequiredService<BearerTicketCache>().Count);
    }

    [Fact]
    public async Task CachedCallerWithoutTheRequiredRole_IsStillForbiddenWithInsufficientScope()
    {
        using var server = Server(settings: new() { ["Auth:RequiredAppRoles:0"] = "MCP.Access" });
        var allowed = Issuer.Mint(roles: ["MCP.Access"]);
        var withoutRole = Issuer.Mint(roles: ["Something.Else"]);

        for (var i = 0; i < 2; i++)
        {
            using var ok = await StatelessCalls.ListToolsAsync(server, allowed);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            using var forbidden = await StatelessCalls.ListToolsAsync(server, withoutRole);
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
            Assert.Contains("error=\"insufficient_scope\"", forbidden.Headers.WwwAuthenticate.Single().Parameter);
        }
        Assert.Equal(2, server.Services.GetRequiredService<BearerTicketCache>().Count);
    }

    [Fact]
    public void CachedCaller_CannotBeChangedByARequest_ButCanBeCopied()
    {
        var validated = new CaseSensitiveClaimsIdentity([new Claim("sub", "caller"), new Claim("roles", "MCP.Access")], "AuthenticationTypes.Federation", "name", "roles");
        var principal = new ReadOnlyClaimsPrincipal(new ReadOnlyClaimsIdentity(validated));
        var identity = (ClaimsIdentity)principal.Identity!;

        Assert.Throws<InvalidOperationException>(() => identity.AddClaim(new Claim("roles", "Mcp.Admin")));
        Assert.Throws<InvalidOperationException>(() => identity.AddClaims([new Claim("roles", "Mcp.Admin")]));
        Assert.Throws<InvalidOperationException>(() => identity.RemoveClaim(identity.FindFirst("roles")));
        Assert.Throws<InvalidOperationException>(() => identity.TryRemoveClaim(identity.FindFirst("roles")));
        Assert.Throws<InvalidOperationException>(() => principal.AddIdentity(new ClaimsIdentity([new Claim("roles", "Mcp.Admin")], "x")));
        Assert.Throws<InvalidOperationException>(() => principal.AddIdentities([new ClaimsIdentity([new Claim("roles", "Mcp.Admin")], "x")]));
        Assert.False(principal.IsInRole("Mcp.Admin"));
        Assert.True(principal.IsInRole("MCP.Access"));
        Assert.True(identity.IsAuthenticated);
        // Claim types stay case-sensitive, as IdentityModel validated them.
        Assert.Null(principal.FindFirst("ROLES"));

        var copy = principal.Clone();
        ((ClaimsIdentity)copy.Identity!).AddClaim(new Claim("roles", "Mcp.Admin"));
        Assert.True(copy.IsInRole("Mcp.Admin"));
        Assert.False(principal.IsInRole("Mcp.Admin"));
    }

    private PrynaiServerFactory Server(ValidationCounter? validations = null, Dictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>(settings ?? []);
        return new PrynaiServerFactory(Settings(all), environment: "Production", configureServices: validations is null ? null : validations.Register);
    }

    private Dictionary<string, string?> Settings(Dictionary<string, string?> extra)
    {
        var all = new Dictionary<string, string?>
        {
            ["Auth:Authority"] = Issuer.HttpAuthority,
            ["Auth:RequireHttpsMetadata"] = "false",
            ["Auth:Audiences:0"] = TestOidcIssuer.Audience,
        };
        foreach (var (key, value) in extra)
        {
            all[key] = value;
        }
        return all;
    }

    /// <summary>Counts the tokens JwtBearer (with Identity.Web) validates and accepts.</summary>
    private sealed class ValidationCounter
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Register(IServiceCollection services) =>
            services.PostConfigure<JwtBearerOptions>(IdentityWebBearer.Scheme, jwt =>
            {
                var inner = jwt.Events.OnTokenValidated;
                jwt.Events.OnTokenValidated = async context =>
                {
                    await inner(context);
                    if (context.Result is null)
                    {
                        Interlocked.Increment(ref _count);
                    }
                };
            });
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}

using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Prynai.McpServer.Security;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Security;

/// <summary>
/// The validated-token cache behind bearer authentication: a hit must mean exactly what a fresh validation would
/// say — the same answer while the token lives and the keys stand, never after either changes.
/// </summary>
public sealed class ValidatedTokenCacheTests
{
    private const string Issuer = "https://issuer.example/v2.0";
    private const string Audience = "api://prynai-cache-test";
    private readonly RsaSecurityKey _key = TestOidcIssuer.NewKey();

    [Fact]
    public async Task A_token_validated_once_is_accepted_again_with_an_identity_of_its_own()
    {
        var cache = new ValidatedTokenCache(TimeProvider.System);
        var token = Mint(_key, DateTime.UtcNow.AddMinutes(10));
        var parameters = Parameters(_key);

        var first = await cache.ValidateTokenAsync(token, parameters);
        first.ClaimsIdentity.AddClaim(new Claim("roles", "Mcp.Admin")); // what a careless request-level change would do
        var second = await cache.ValidateTokenAsync(token, parameters);

        Assert.True(first.IsValid);
        Assert.True(second.IsValid);
        Assert.NotSame(first.ClaimsIdentity, second.ClaimsIdentity);
        Assert.DoesNotContain(second.ClaimsIdentity.Claims, claim => claim.Value == "Mcp.Admin");
        Assert.Equal("client-app", second.ClaimsIdentity.FindFirst("azp")?.Value);
    }

    [Fact]
    public async Task When_the_signing_keys_change_a_remembered_token_is_validated_again_and_refused()
    {
        var cache = new ValidatedTokenCache(TimeProvider.System);
        var token = Mint(_key, DateTime.UtcNow.AddMinutes(10));
        Assert.True((await cache.ValidateTokenAsync(token, Parameters(_key))).IsValid);

        var rotated = await cache.ValidateTokenAsync(token, Parameters(TestOidcIssuer.NewKey()));

        Assert.False(rotated.IsValid);
    }

    [Fact]
    public async Task A_remembered_token_is_refused_once_it_expires()
    {
        // No waiting on the real clock, which the inner validation reads: the token has expired already, the inner
        // validation first allows for it (clock skew) and the cache's clock is 30 s before the expiry; then both agree.
        var expires = DateTime.UtcNow.AddSeconds(-1);
        var time = new ManualTime(expires.AddSeconds(-30));
        var cache = new ValidatedTokenCache(time);
        var token = Mint(_key, expires);
        var parameters = Parameters(_key);
        parameters.ClockSkew = TimeSpan.FromMinutes(5);
        Assert.True((await cache.ValidateTokenAsync(token, parameters)).IsValid);

        time.Now = expires.AddSeconds(1);
        parameters.ClockSkew = TimeSpan.Zero;
        var expired = await cache.ValidateTokenAsync(token, parameters);

        Assert.False(expired.IsValid);
        Assert.IsType<SecurityTokenExpiredException>(expired.Exception);
    }

    [Fact]
    public async Task A_refused_token_is_not_remembered()
    {
        var cache = new ValidatedTokenCache(TimeProvider.System);
        var token = Mint(_key, DateTime.UtcNow.AddMinutes(10));
        var wrongAudience = Parameters(_key);
        wrongAudience.ValidAudience = "api://someone-else";

        Assert.False((await cache.ValidateTokenAsync(token, wrongAudience)).IsValid);
        Assert.False((await cache.ValidateTokenAsync(token, wrongAudience)).IsValid);
        Assert.True((await cache.ValidateTokenAsync(token, Parameters(_key))).IsValid);
    }

    private static TokenValidationParameters Parameters(SecurityKey key) => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKeys = [key],
        ValidAlgorithms = IdentityWebBearer.Algorithms,
        ClockSkew = TimeSpan.Zero,
    };

    private static string Mint(SecurityKey key, DateTime expires) => new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
    {
        Issuer = Issuer,
        Audience = Audience,
        Claims = new Dictionary<string, object> { ["sub"] = "caller", ["azp"] = "client-app" },
        IssuedAt = DateTime.UtcNow.AddMinutes(-1),
        NotBefore = DateTime.UtcNow.AddMinutes(-1),
        Expires = expires,
        SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
    });

    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}

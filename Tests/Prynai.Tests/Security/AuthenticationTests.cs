using System.Net;
using Microsoft.IdentityModel.Tokens;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Security;

/// <summary>Bearer authentication of /mcp through the real pipeline, against a real (loopback) OpenID issuer.</summary>
public sealed class AuthenticationTests(IssuerFixture fixture) : IClassFixture<IssuerFixture>
{
    private TestOidcIssuer Issuer => fixture.Issuer;

    [Fact]
    public async Task ValidToken_IsServed_OnBothProtocolGenerations()
    {
        using var server = fixture.Server();
        foreach (var protocol in new[] { "2026-07-28", "2025-11-25" })
        {
            await using var client = await server.ConnectAsync(protocol, token: Issuer.Mint());
            Assert.Equal(5, await McpClientCalls.NumberAsync(client, "add", 2, 3));
        }
    }

    [Fact]
    public async Task NoToken_Is401_WithResourceMetadataAndScope_ButNoError()
    {
        using var server = fixture.Server();
        using var response = await server.CreateClient().SendAsync(McpHttp.Initialize(), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = response.Headers.WwwAuthenticate.Single();
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Contains("resource_metadata=\"http://localhost/.well-known/oauth-protected-resource/mcp\"", challenge.Parameter);
        Assert.Contains($"scope=\"{TestOidcIssuer.Audience}/.default\"", challenge.Parameter);
        Assert.DoesNotContain("error=", challenge.Parameter);
    }

    public static TheoryData<string, string> BadTokens => new()
    {
        { "malformed", "The bearer token is not a well-formed JWT." },
        { "alg-none", "" },
        { "hs256-with-public-key", "" },
        { "wrong-signature", "The token's signature is not valid." },
        { "unknown-kid", "The token's signature is not valid." },
        { "expired", "The token has expired." },
        { "not-yet-valid", "The token is not valid yet." },
        { "wrong-issuer", "The token's issuer is not trusted." },
        { "wrong-audience", "The token was issued for another resource (audience)." },
        { "other-resource", "The token was issued for another resource (audience)." },
    };

    [Theory, MemberData(nameof(BadTokens))]
    public async Task BadToken_Is401InvalidToken_WithoutInternals(string kind, string description)
    {
        using var server = fixture.Server();
        using var response = await StatelessCalls.ListToolsAsync(server, BadToken(kind));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = response.Headers.WwwAuthenticate.Single().Parameter!;
        Assert.Contains("error=\"invalid_token\"", challenge);
        Assert.Contains("resource_metadata=", challenge);
        if (description.Length > 0)
        {
            Assert.Contains($"error_description=\"{description}\"", challenge);
        }
        Assert.DoesNotContain("IDX", challenge + await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task TokenFromATenantNotAllowed_Is401()
    {
        using var server = fixture.Server(new Dictionary<string, string?> { ["Auth:AllowedTenants:0"] = TestOidcIssuer.TenantId });
        using var allowed = await StatelessCalls.ListToolsAsync(server, Issuer.Mint());
        using var other = await StatelessCalls.ListToolsAsync(server, Issuer.Mint(tenantId: "99999999-9999-9999-9999-999999999999"));

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
        Assert.Contains("error_description=\"The token's tenant is not allowed.\"", other.Headers.WwwAuthenticate.Single().Parameter);
    }

    [Theory]
    [InlineData("roles", null, HttpStatusCode.Forbidden)]
    [InlineData("roles", "MCP.Access", HttpStatusCode.OK)]
    [InlineData("scopes", null, HttpStatusCode.Forbidden)]
    [InlineData("scopes", "Mcp.Invoke", HttpStatusCode.OK)]
    public async Task RequiredRoleOrScope_Missing_Is403InsufficientScope(string kind, string? granted, HttpStatusCode expected)
    {
        using var server = fixture.Server(new Dictionary<string, string?>
        {
            ["Auth:RequiredAppRoles:0"] = "MCP.Access",
            ["Auth:RequiredScopes:0"] = "Mcp.Invoke",
        });
        var token = kind == "roles"
            ? Issuer.Mint(roles: granted is null ? ["Something.Else"] : [granted])
            : Issuer.Mint(scopes: granted ?? "Other.Scope");

        using var response = await StatelessCalls.ListToolsAsync(server, token);
        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.Forbidden)
        {
            Assert.Contains("error=\"insufficient_scope\"", response.Headers.WwwAuthenticate.Single().Parameter);
        }
    }

    [Fact]
    public async Task TokenInTheQueryString_IsRefused()
    {
        using var server = fixture.Server();
        var request = McpHttp.Initialize();
        request.RequestUri = new Uri($"/mcp?access_token={Issuer.Mint()}", UriKind.Relative);

        using var response = await server.CreateClient().SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("error=\"invalid_request\"", response.Headers.WwwAuthenticate.Single().Parameter);
    }

    [Fact]
    public async Task SigningKeyRotation_IsPickedUp_WithoutARestart()
    {
        await using var issuer = await TestOidcIssuer.StartAsync();
        using var server = new PrynaiServerFactory(new Dictionary<string, string?>
        {
            ["Auth:Authority"] = issuer.HttpAuthority,
            ["Auth:RequireHttpsMetadata"] = "false",
            ["Auth:Audiences:0"] = TestOidcIssuer.Audience,
            ["Auth:MetadataRefreshInterval"] = "00:00:01",
        }, environment: "Production");

        using (var before = await StatelessCalls.ListToolsAsync(server, issuer.Mint()))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }
        var retired = issuer.SigningKey;
        var fetchesBefore = issuer.MetadataRequests;
        issuer.RotateKeys();
        await Task.Delay(TimeSpan.FromSeconds(1.2), Ct);

        // The first token with the unknown key id makes the server refetch the issuer's keys (JwtBearer refreshes in
        // the background), so tokens may be refused until that fetch lands; from then on every one is accepted.
        await Eventually.TrueAsync(() =>
        {
            using var rotated = StatelessCalls.ListToolsAsync(server, issuer.Mint()).GetAwaiter().GetResult();
            return rotated.StatusCode == HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(10), "tokens signed with the rotated key should be accepted without a restart");
        for (var i = 0; i < 5; i++)
        {
            using var again = await StatelessCalls.ListToolsAsync(server, issuer.Mint());
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }
        Assert.True(issuer.MetadataRequests > fetchesBefore, "the server should have refetched the issuer's metadata");

        using var old = await StatelessCalls.ListToolsAsync(server, issuer.Mint(key: retired));
        Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
    }

    [Fact]
    public async Task HealthAndMetadata_AnswerWithoutAToken()
    {
        using var server = fixture.Server();
        var client = server.CreateClient();

        using var health = await client.GetAsync("/healthz", Ct);
        using var live = await client.GetAsync("/livez", Ct);
        using var root = await client.GetAsync("/.well-known/oauth-protected-resource", Ct);
        using var mcp = await client.GetAsync("/.well-known/oauth-protected-resource/mcp", Ct);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK],
            [health.StatusCode, live.StatusCode, root.StatusCode, mcp.StatusCode]);
        var metadata = System.Text.Json.Nodes.JsonNode.Parse(await mcp.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal("http://localhost/mcp", metadata["resource"]!.GetValue<string>());
        Assert.Equal([Issuer.HttpAuthority], metadata["authorization_servers"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal([$"{TestOidcIssuer.Audience}/.default"], metadata["scopes_supported"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(["header"], metadata["bearer_methods_supported"]!.AsArray().Select(v => v!.GetValue<string>()));
    }

    private string BadToken(string kind) => kind switch
    {
        "malformed" => "not-a-jwt",
        "alg-none" => Issuer.MintUnsigned(),
        "hs256-with-public-key" => Issuer.MintHmacWithPublicKey(),
        "wrong-signature" => Issuer.Mint(key: new RsaSecurityKey(System.Security.Cryptography.RSA.Create(2048)) { KeyId = Issuer.SigningKey.KeyId }),
        "unknown-kid" => Issuer.Mint(key: TestOidcIssuer.NewKey()),
        "expired" => Issuer.Mint(notBefore: DateTime.UtcNow.AddHours(-2), expires: DateTime.UtcNow.AddMinutes(-10)),
        "not-yet-valid" => Issuer.Mint(notBefore: DateTime.UtcNow.AddMinutes(20), expires: DateTime.UtcNow.AddHours(1)),
        "wrong-issuer" => Issuer.Mint(issuer: "https://login.microsoftonline.com/99999999-9999-9999-9999-999999999999/v2.0"),
        "wrong-audience" => Issuer.Mint(audience: "api://someone-else"),
        "other-resource" => Issuer.Mint(audience: "https://graph.microsoft.com"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}

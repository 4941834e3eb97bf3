using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Prynai.McpServer.Configuration;
using Prynai.McpServer.Security;
using Prynai.McpServer.Security.Authentication;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Security;

/// <summary>Fail-closed startup, the original environment names, development tokens, proxies, CORS, HTTPS.</summary>
public sealed class SecurityConfigurationTests(IssuerFixture fixture) : IClassFixture<IssuerFixture>
{
    [Fact]
    public void Start_DoesNotLoadADataProtectionKeyRing_ThatBearerTokensNeverUse()
    {
        using var server = fixture.Server();
        server.CreateClient();

        var hosted = server.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().Select(h => h.GetType().Name).ToList();
        Assert.DoesNotContain("DataProtectionHostedService", hosted);
        Assert.NotNull(server.Services.GetService<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>()); // still there, on demand
    }

    [Theory]
    [InlineData("Production", true, 1)]
    [InlineData("Development", true, 1)]
    [InlineData("Development", false, 0)]
    public async Task EachRequest_IsAuthenticatedOnce_OrNotAtAllWhenATokenIsOptionalAndAbsent(string environment, bool withToken, int expected)
    {
        var authentications = new AuthenticationCounter();
        using var server = new PrynaiServerFactory(new Dictionary<string, string?>
        {
            ["Auth:Authority"] = fixture.Issuer.HttpAuthority,
            ["Auth:RequireHttpsMetadata"] = "false",
            ["Auth:Audiences:0"] = TestOidcIssuer.Audience,
        }, environment: environment, configureServices: authentications.Install);
        var token = fixture.Issuer.Mint();
        HttpRequestMessage Request()
        {
            var request = McpHttp.StatelessRequest("tools/list");
            if (withToken)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }
            return request;
        }
        var client = server.CreateClient();
        // The first request validates the token (the bearer scheme asks Identity.Web's: a second authentication); the
        // next one is the steady state measured here.
        using (var first = await client.SendAsync(Request(), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }
        var before = authentications.Count;

        using var response = await client.SendAsync(Request(), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, authentications.Count - before);
    }

    [Fact]
    public void TheKeyThatTellsWebApplicationAuthenticationIsPlaced_IsTheOneUseAuthenticationRecords()
    {
        // McpRouteAuthentication and the tokens-optional branch set it by hand; a renamed key would bring the
        // framework's own authentication middleware back in front of every request.
        using var services = new ServiceCollection().AddLogging().AddAuthentication().Services.BuildServiceProvider();
        var app = new Microsoft.AspNetCore.Builder.ApplicationBuilder(services);
        Microsoft.AspNetCore.Builder.AuthAppBuilderExtensions.UseAuthentication(app);
        Assert.True(app.Properties.ContainsKey(McpRouteAuthentication.MiddlewareSetKey));
    }

    /// <summary>Counts calls of IAuthenticationService.AuthenticateAsync (every authentication the pipeline does).</summary>
    private sealed class AuthenticationCounter
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Install(IServiceCollection services) =>
            services.AddScoped<Microsoft.AspNetCore.Authentication.IAuthenticationService>(provider =>
                new Counting(ActivatorUtilities.CreateInstance<Microsoft.AspNetCore.Authentication.AuthenticationService>(provider), this));

        private sealed class Counting(Microsoft.AspNetCore.Authentication.IAuthenticationService inner, AuthenticationCounter counter)
            : Microsoft.AspNetCore.Authentication.IAuthenticationService
        {
            public Task<Microsoft.AspNetCore.Authentication.AuthenticateResult> AuthenticateAsync(Microsoft.AspNetCore.Http.HttpContext context, string? scheme)
            {
                Interlocked.Increment(ref counter._count);
                return inner.AuthenticateAsync(context, scheme);
            }

            public Task ChallengeAsync(Microsoft.AspNetCore.Http.HttpContext context, string? scheme, Microsoft.AspNetCore.Authentication.AuthenticationProperties? properties) =>
                inner.ChallengeAsync(context, scheme, properties);

            public Task ForbidAsync(Microsoft.AspNetCore.Http.HttpContext context, string? scheme, Microsoft.AspNetCore.Authentication.AuthenticationProperties? properties) =>
                inner.ForbidAsync(context, scheme, properties);

            public Task SignInAsync(Microsoft.AspNetCore.Http.HttpContext context, string? scheme, System.Security.Claims.ClaimsPrincipal principal, Microsoft.AspNetCore.Authentication.AuthenticationProperties? properties) =>
                inner.SignInAsync(context, scheme, principal, properties);

            public Task SignOutAsync(Microsoft.AspNetCore.Http.HttpContext context, string? scheme, Microsoft.AspNetCore.Authentication.AuthenticationProperties? properties) =>
                inner.SignOutAsync(context, scheme, properties);
        }
    }

    [Fact]
    public void RequiredButUnconfigured_RefusesToStart_NamingTheMissingSettings()
    {
        using var server = new PrynaiServerFactory(environment: "Production");

        var error = Assert.ThrowsAny<OptionsValidationException>(() => server.CreateClient());
        Assert.Contains("Auth:TenantId (ENTRA_TENANT_ID) or Auth:Authority, and Auth:Audiences (ENTRA_AUDIENCES)", error.Message);
    }

    [Fact]
    public async Task RequiredButUnconfigured_ProcessExitsNonZero_WithTheReason()
    {
        await using var server = await ServerProcess.StartAsync(aspnetEnvironment: "Production", waitHealthy: false);
        var exitCode = await server.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("ENTRA_TENANT_ID", server.Output);
    }

    [Fact]
    public void AuthorityWithoutAudiences_RefusesToStart()
    {
        using var server = new PrynaiServerFactory(new Dictionary<string, string?> { ["Auth:TenantId"] = TestOidcIssuer.TenantId }, environment: "Production");
        var error = Assert.ThrowsAny<OptionsValidationException>(() => server.CreateClient());
        Assert.Contains("Auth:Audiences (ENTRA_AUDIENCES) is empty", error.Message);
    }

    [Fact]
    public void OriginalEnvironmentNames_MapOntoTheAuthSection()
    {
        var variables = new Dictionary<string, string>
        {
            ["AUTH_REQUIRED"] = "true",
            ["ENTRA_TENANT_ID"] = TestOidcIssuer.TenantId,
            ["ENTRA_AUDIENCES"] = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee, api://prynai-server",
            ["ENTRA_REQUIRED_APP_ROLES"] = "MCP.Access",
            ["ENTRA_REQUIRED_SCOPES"] = "Mcp.Invoke Mcp.Read",
        };
        var configuration = new ConfigurationManager();
        configuration.AddEnvironmentVariableAliases(name => variables.GetValueOrDefault(name));
        var auth = configuration.GetSection(AuthOptions.SectionName).Get<AuthOptions>()!;

        Assert.True(auth.Required);
        Assert.Equal(TestOidcIssuer.TenantId, auth.TenantId);
        Assert.Equal(["aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "api://prynai-server"], auth.Audiences);
        Assert.Equal(["MCP.Access"], auth.RequiredAppRoles);
        Assert.Equal(["Mcp.Invoke", "Mcp.Read"], auth.RequiredScopes);
        Assert.Equal($"https://login.microsoftonline.com/{TestOidcIssuer.TenantId}/v2.0", auth.EffectiveAuthority);
        Assert.Equal(["api://prynai-server/.default"], auth.AdvertisedScopes);
    }

    [Theory]
    [InlineData("Auth:Authority", "http://login.contoso.example/tenant/v2.0", "Auth:Authority (ENTRA_AUTHORITY) gives the token issuer http://login.contoso.example/tenant/v2.0")]
    [InlineData("Auth:Instance", "http://login.contoso.example/", "Auth:Instance gives the token issuer http://login.contoso.example/11111111-2222-3333-4444-555555555555/v2.0")]
    public void AnHttpIssuer_WithHttpsMetadataRequired_RefusesToStart_InOneLineNamingTheSetting(string setting, string value, string expected)
    {
        using var server = new PrynaiServerFactory(new Dictionary<string, string?>
        {
            [setting] = value,
            ["Auth:TenantId"] = TestOidcIssuer.TenantId,
            ["Auth:Audiences:0"] = TestOidcIssuer.Audience,
        }, environment: "Production");

        var error = Assert.ThrowsAny<OptionsValidationException>(() => server.CreateClient());
        Assert.Contains(expected, error.Message);
        Assert.Contains("use an https:// URL", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task AnAzureAdSection_ConfiguresEntra_AsMicrosoftIdentityWebReadsIt()
    {
        // The loopback recipe for Identity.Web: http metadata allowed, and the issuer listed so its Entra issuer
        // validator does not fetch it from the (HTTPS-only) authority.
        using var server = new PrynaiServerFactory(new Dictionary<string, string?>
        {
            ["AzureAd:Instance"] = fixture.Issuer.HttpBase + "/",
            ["AzureAd:TenantId"] = TestOidcIssuer.TenantId,
            ["AzureAd:ClientId"] = TestOidcIssuer.AudienceGuid,
            ["AzureAd:Audience"] = TestOidcIssuer.Audience,
            ["AzureAd:RequireHttpsMetadata"] = "false",
            ["AzureAd:TokenValidationParameters:ValidIssuers:0"] = fixture.Issuer.Issuer,
        }, environment: "Production");

        using var anonymous = await server.CreateClient().SendAsync(McpHttp.StatelessRequest("tools/list"), Ct);
        using var forTheUri = await StatelessCalls.ListToolsAsync(server, fixture.Issuer.Mint(audience: TestOidcIssuer.Audience));
        using var forTheClientId = await StatelessCalls.ListToolsAsync(server, fixture.Issuer.Mint(audience: TestOidcIssuer.AudienceGuid));
        using var otherAudience = await StatelessCalls.ListToolsAsync(server, fixture.Issuer.Mint(audience: "api://someone-else"));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains($"scope=\"{TestOidcIssuer.Audience}/.default\"", anonymous.Headers.WwwAuthenticate.Single().Parameter);
        Assert.Equal(HttpStatusCode.OK, forTheUri.StatusCode);
        Assert.Equal(HttpStatusCode.OK, forTheClientId.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, otherAudience.StatusCode);
    }

    [Fact]
    public async Task UserJwtsTokens_WorkInDevelopment_AndNowhereElse()
    {
        var (settings, token) = await UserJwts.CreateAsync(role: "Mcp.Admin", audience: "api://prynai-dev");

        using (var development = new PrynaiServerFactory(new Dictionary<string, string?>(settings) { ["Auth:Required"] = "true" }))
        {
            await using var client = await development.ConnectAsync(token: token);
            Assert.Contains("reset_counter", (await client.ListToolsAsync(cancellationToken: Ct)).Select(t => t.Name));
            using var anonymous = await development.CreateClient().SendAsync(McpHttp.StatelessRequest("tools/list"), Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        using var production = fixture.Server(settings);
        using var refused = await StatelessCalls.ListToolsAsync(production, token);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task Algorithms_HmacOnlyForUserJwtsTokensInDevelopment_RsaFamilyFromTheIssuerEverywhere()
    {
        var (settings, userJwt) = await UserJwts.CreateAsync(role: "Mcp.Admin", audience: "api://prynai-dev");
        var userJwtsKey = new SymmetricSecurityKey(Convert.FromBase64String(settings["Authentication:Schemes:Bearer:SigningKeys:0:Value"]!));
        var hmacClaimingTheIssuer = fixture.Issuer.Mint(key: userJwtsKey, algorithm: SecurityAlgorithms.HmacSha256);
        var rsaClaimingUserJwts = fixture.Issuer.Mint(issuer: DevelopmentTokens.Issuer, audience: "api://prynai-dev");

        using (var development = fixture.Server(settings, environment: "Development"))
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(development, userJwt));
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(development, fixture.Issuer.Mint()));
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(development, fixture.Issuer.Mint(algorithm: SecurityAlgorithms.RsaSha512)));
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(development, hmacClaimingTheIssuer));
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(development, rsaClaimingUserJwts));
        }

        using var production = fixture.Server(settings);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(production, fixture.Issuer.Mint(algorithm: SecurityAlgorithms.RsaSha384)));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(production, userJwt));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(production, hmacClaimingTheIssuer));
    }

    private static async Task<HttpStatusCode> StatusAsync(PrynaiServerFactory server, string token)
    {
        using var response = await StatelessCalls.ListToolsAsync(server, token);
        return response.StatusCode;
    }

    // The metadata names an authorization server, so these tests configure one; nothing ever calls it (a closed port).
    private const string UnreachableIssuerSetting = "Auth:Authority";
    private const string UnreachableIssuer = "http://127.0.0.1:9/tenant/v2.0";

    [Fact]
    public async Task ProtectedResourceMetadata_WithoutAnAuthorizationServer_IsNotFound_AndChallengesDoNotPointAtIt()
    {
        using var open = new PrynaiServerFactory();
        var client = open.CreateClient();
        using var root = await client.GetAsync("/.well-known/oauth-protected-resource", Ct);
        using var mcp = await client.GetAsync("/.well-known/oauth-protected-resource/mcp", Ct);
        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound], [root.StatusCode, mcp.StatusCode]);

        using var configured = new PrynaiServerFactory(new Dictionary<string, string?>
        {
            [UnreachableIssuerSetting] = UnreachableIssuer,
            ["Auth:RequireHttpsMetadata"] = "false",
            ["Auth:Audiences:0"] = TestOidcIssuer.Audience,
        });
        using var served = await configured.CreateClient().GetAsync("/.well-known/oauth-protected-resource/mcp", Ct);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal([UnreachableIssuer], JsonNode.Parse(await served.Content.ReadAsStringAsync(Ct))!["authorization_servers"]!.AsArray().Select(v => v!.GetValue<string>()));
    }

    [Theory]
    [InlineData(true, "mcp.contoso.com", "https://mcp.contoso.com")]
    [InlineData(true, "evil.example.com", "https://localhost")]
    [InlineData(false, "mcp.contoso.com", "http://localhost")]
    public async Task ForwardedHeaders_AreHonouredOnlyWhenTrusted(bool enabled, string forwardedHost, string expectedBase)
    {
        using var server = new PrynaiServerFactory(new Dictionary<string, string?>
        {
            ["Security:ForwardedHeaders:Enabled"] = enabled.ToString(),
            ["Security:ForwardedHeaders:TrustAllProxies"] = "true",
            ["Security:AllowedHosts:0"] = "mcp.contoso.com",
            [UnreachableIssuerSetting] = UnreachableIssuer,
            ["Auth:RequireHttpsMetadata"] = "false",
            ["Auth:Audiences:0"] = TestOidcIssuer.Audience,
        });
        var request = new HttpRequestMessage(HttpMethod.Get, "/.well-known/oauth-protected-resource/mcp");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", forwardedHost);
        request.Headers.Add("X-Forwarded-For", "203.0.113.9");

        using var response = await server.CreateClient().SendAsync(request, Ct);
        var resource = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["resource"]!.GetValue<string>();
        Assert.Equal($"{expectedBase}/mcp", resource);
    }

    [Fact]
    public async Task ForwardedHeaders_FromAnUnknownProxy_AreIgnored()
    {
        using var server = new PrynaiServerFactory(new Dictionary<string, string?>
        {
            ["Security:ForwardedHeaders:Enabled"] = "true",
            ["Security:ForwardedHeaders:KnownProxies:0"] = "10.9.8.7",
            ["Security:AllowedHosts:0"] = "mcp.contoso.com",
            [UnreachableIssuerSetting] = UnreachableIssuer,
            ["Auth:RequireHttpsMetadata"] = "false",
            ["Auth:Audiences:0"] = TestOidcIssuer.Audience,
        }, remoteAddress: IPAddress.Parse("203.0.113.50"));
        var request = new HttpRequestMessage(HttpMethod.Get, "/.well-known/oauth-protected-resource/mcp");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "mcp.contoso.com");

        using var response = await server.CreateClient().SendAsync(request, Ct);
        Assert.Equal("http://localhost/mcp", JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["resource"]!.GetValue<string>());
    }

    [Fact]
    public async Task Cors_IsOffByDefault()
    {
        using var server = new PrynaiServerFactory();
        using var response = await server.CreateClient().SendAsync(Preflight("https://app.contoso.com"), Ct);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Cors_WhenConfigured_AllowsTheListedOrigins_AndExposesSessionAndChallengeHeaders()
    {
        using var server = new PrynaiServerFactory(new Dictionary<string, string?> { ["Security:AllowedOrigins:0"] = "https://app.contoso.com" });
        var client = server.CreateClient();

        using var preflight = await client.SendAsync(Preflight("https://app.contoso.com"), Ct);
        Assert.Equal("https://app.contoso.com", preflight.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("mcp-session-id", preflight.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.OrdinalIgnoreCase);

        var initialize = McpHttp.Initialize();
        initialize.Headers.Add("Origin", "https://app.contoso.com");
        using var response = await client.SendAsync(initialize, Ct);
        var exposed = response.Headers.GetValues("Access-Control-Expose-Headers").Single();
        Assert.Contains("Mcp-Session-Id", exposed);
        Assert.Contains("WWW-Authenticate", exposed);

        using var other = await client.SendAsync(Preflight("https://evil.example.com"), Ct);
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Https_WithTheStandardKestrelCertificateSettings_Serves()
    {
        using var files = new TempDirectory("https");
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(files.File("cert.pem"), certificate.ExportCertificatePem());
        File.WriteAllText(files.File("key.pem"), rsa.ExportPkcs8PrivateKeyPem());

        var port = FreePort.Next();
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string?>
        {
            ["Kestrel__Endpoints__Https__Url"] = $"https://127.0.0.1:{port}",
            ["Kestrel__Endpoints__Https__Certificate__Path"] = files.File("cert.pem"),
            ["Kestrel__Endpoints__Https__Certificate__KeyPath"] = files.File("key.pem"),
        }, port: port, scheme: "https");

        using var http = new HttpClient(new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.Thumbprint == certificate.Thumbprint,
        })
        { BaseAddress = server.BaseAddress };
        var initialize = McpHttp.Initialize();
        using var response = await http.SendAsync(initialize, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("https", response.RequestMessage!.RequestUri!.Scheme);
    }

    private static HttpRequestMessage Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/mcp");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "content-type, mcp-session-id, authorization");
        return request;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}

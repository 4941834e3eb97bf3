using System.Net;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Deployment;

/// <summary>
/// Runs the server and the smoke client with exactly the environment aspire-manifest.json gives them, its expressions
/// resolved against local stand-ins: the Redis container is a password-protected redis-server (the connection string
/// built from the manifest's own expression), Entra ID is the loopback OpenID issuer. Only what the platform supplies
/// is added: ACA's DNS suffix, and where the tenant's sign-in host and CA trust point.
/// </summary>
public sealed class AspireManifestEnvironmentTests : IAsyncLifetime
{
    private const string DnsSuffix = "happy-sea-1234.eastus.azurecontainerapps.io";
    private const string RedisPassword = "generated-cache-password";
    private readonly AspireManifest _manifest = AspireManifest.Load();
    private readonly TempDirectory _files = new("manifest-env");
    private RedisServer _redis = null!;
    private TestOidcIssuer _issuer = null!;
    private ServerProcess _server = null!;

    public async ValueTask InitializeAsync()
    {
        _redis = await RedisServer.StartAsync(password: RedisPassword);
        _issuer = await TestOidcIssuer.StartAsync();
        // Entra issues client-credentials tokens as its v2 issuer; the server accepts only that (or v1) for the tenant.
        _issuer.IssuedTokenIssuer = $"https://login.microsoftonline.com/{TestOidcIssuer.TenantId}/v2.0";
        _issuer.RegisterClient("smoke-job-client", "smoke-job-secret", "MCP.Access");

        var port = FreePort.Next();
        var environment = _manifest.ResolvedEnvironment("mcp", ManifestValues(port, serverUrl: null))
            .ToDictionary(pair => pair.Key, pair => (string?)pair.Value);
        environment["ASPNETCORE_URLS"] = null; // HTTP_PORTS from the manifest decides where Kestrel listens
        environment["CONTAINER_APP_ENV_DNS_SUFFIX"] = DnsSuffix; // set by Azure Container Apps in every replica
        environment["Auth__Instance"] = _issuer.HttpBase + "/"; // the tenant's sign-in host, here on loopback
        environment["Auth__RequireHttpsMetadata"] = "false";
        // Identity.Web's Entra issuer validator would fetch the tenant's issuers from the sign-in host over HTTPS;
        // on loopback the issuer Entra puts in these tokens is listed instead.
        environment["AzureAd__TokenValidationParameters__ValidIssuers__0"] = _issuer.IssuedTokenIssuer;
        _server = await ServerProcess.StartAsync(environment, aspnetEnvironment: "Production", port: port);
    }

    [Fact]
    public async Task Server_ReportsHealthy_OnTheRedisItWasGiven()
    {
        using var http = new HttpClient { BaseAddress = _server.BaseAddress };
        var health = await http.GetStringAsync("/healthz", TestContext.Current.CancellationToken);

        Assert.Contains("\"status\":\"ok\"", health);
        Assert.Contains("\"store\":\"redis\"", health);
    }

    [Fact]
    public async Task BehindTheIngress_ChallengeNamesThePublicHttpsMetadataUrl()
    {
        using var http = new HttpClient();
        using var request = McpHttp.StatelessRequest("tools/list");
        request.RequestUri = _server.McpEndpoint;
        request.Headers.Host = $"mcp.{DnsSuffix}";
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");

        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = response.Headers.WwwAuthenticate.ToString();
        Assert.Contains($"resource_metadata=\"https://mcp.{DnsSuffix}/.well-known/oauth-protected-resource/mcp\"", challenge);
    }

    [Fact]
    public async Task SmokeJobWithItsManifestEnvironment_PassesAgainstIt()
    {
        var environment = _manifest.ResolvedEnvironment("smoke", ManifestValues(_server.Port, serverUrl: _server.BaseAddress.ToString().TrimEnd('/')))
            .ToDictionary(pair => pair.Key, pair => (string?)pair.Value);
        environment["ENTRA_AUTHORITY"] = _issuer.Issuer; // MSAL's authority: the loopback issuer instead of login.microsoftonline.com
        environment["SSL_CERT_FILE"] = _issuer.ExportCertificate(_files.File("issuer.pem"));
        environment["PRYNAI_MCP_TOKEN"] = null;

        var result = await CommandRunner.RunAsync("dotnet", [RepositoryPaths.SmokeClientAssembly, .. _manifest.Arguments("smoke")],
            TimeSpan.FromMinutes(2), environment: environment);

        Assert.True(result.ExitCode == 0, $"{result}\n--- server\n{_server.Output}");
        Assert.Contains("SMOKE: PASS", result.StandardOutput);
        Assert.Contains("COUNTER_AFTER:", result.StandardOutput);
    }

    /// <summary>
    /// What a deployment substitutes for each expression: the parameters' values (defaults from the manifest), the
    /// Redis container's address and generated password, and the server's endpoints (ACA's HTTPS ingress becomes
    /// plain HTTP on loopback here). Connection strings are built from the manifest's own expressions.
    /// </summary>
    private Dictionary<string, string> ManifestValues(int port, string? serverUrl)
    {
        var values = new Dictionary<string, string>
        {
            ["cache.bindings.tcp.host"] = "127.0.0.1",
            ["cache.bindings.tcp.port"] = _redis.Port.ToString(),
            ["cache-password.value"] = RedisPassword,
            ["entra-tenant-id.value"] = TestOidcIssuer.TenantId,
            ["entra-audiences.value"] = $"{TestOidcIssuer.AudienceGuid},{TestOidcIssuer.Audience}",
            ["entra-required-app-roles.value"] = _manifest.ParameterDefault("entra-required-app-roles")!,
            ["entra-smoke-client-id.value"] = "smoke-job-client",
            ["entra-smoke-client-secret.value"] = "smoke-job-secret",
            ["entra-server-app-id-uri.value"] = TestOidcIssuer.Audience,
            ["mcp.bindings.http.targetPort"] = port.ToString(),
        };
        if (serverUrl is not null)
        {
            values["mcp.bindings.http.url"] = serverUrl;
            values["mcp.bindings.https.url"] = serverUrl;
        }
        return values;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        if (_issuer is not null)
        {
            await _issuer.DisposeAsync();
        }
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
        _files.Dispose();
    }
}

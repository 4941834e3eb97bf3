using Prynai.Tests.Infrastructure;
using Prynai.Tests.Security;

namespace Prynai.Tests.Smoke;

/// <summary>
/// The smoke and token commands with a real client-credentials flow (MSAL against the loopback issuer over HTTPS;
/// the child process trusts the issuer's certificate through SSL_CERT_FILE), against a server that requires a token.
/// </summary>
public sealed class AuthenticatedSmokeTests(IssuerFixture fixture) : IClassFixture<IssuerFixture>
{
    [Theory]
    [InlineData("2026-07-28")]
    [InlineData("2025-11-25")]
    public async Task SmokeWithEntraClientCredentials_PassesAgainstAProtectedServer(string protocol)
    {
        using var files = new TempDirectory("smoke-auth");
        fixture.Issuer.RegisterClient("smoke-client", "smoke-secret", "MCP.Access");
        await using var server = await ProtectedServerAsync();

        var anonymous = await SmokeAsync(["--url", server.McpEndpoint.ToString()], files);
        Assert.Equal(1, anonymous.ExitCode);
        Assert.Contains("401", anonymous.StandardError);

        var result = await SmokeAsync(["--url", server.McpEndpoint.ToString(), "--auth", "entra", "--protocol", protocol], files);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("ADD RESULT: 5", result.StandardOutput);
        Assert.Contains("SMOKE: PASS", result.StandardOutput);
    }

    [Fact]
    public async Task SmokeWithAPassedToken_Passes()
    {
        using var files = new TempDirectory("smoke-token");
        await using var server = await ProtectedServerAsync();
        var token = fixture.Issuer.Mint(roles: ["MCP.Access"]);

        var result = await SmokeAsync(["--url", server.McpEndpoint.ToString(), "--token", token], files);
        Assert.True(result.ExitCode == 0, result.ToString());

        var fromEnvironment = await SmokeAsync(["--url", server.McpEndpoint.ToString()], files, new() { ["PRYNAI_MCP_TOKEN"] = token });
        Assert.True(fromEnvironment.ExitCode == 0, fromEnvironment.ToString());
    }

    [Fact]
    public async Task TokenCommand_PrintsTheClaims_NeverTheSignatureOrSecret()
    {
        using var files = new TempDirectory("token");
        fixture.Issuer.RegisterClient("token-client", "token-secret-value", "MCP.Access", "Mcp.Admin");

        var result = await CommandRunner.RunAsync("dotnet", [RepositoryPaths.SmokeClientAssembly, "token"], TimeSpan.FromMinutes(1),
            environment: Environment(files, "token-client", "token-secret-value"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"aud: {TestOidcIssuer.Audience}", result.StandardOutput);
        Assert.Contains($"iss: {fixture.Issuer.Issuer}", result.StandardOutput);
        Assert.Contains($"tid: {TestOidcIssuer.TenantId}", result.StandardOutput);
        Assert.Contains("roles: [MCP.Access, Mcp.Admin]", result.StandardOutput);
        Assert.Contains("scp: (none)", result.StandardOutput);
        Assert.Contains("exp: ", result.StandardOutput);
        Assert.DoesNotContain("token-secret-value", result.StandardOutput + result.StandardError);
        Assert.DoesNotContain("eyJ", result.StandardOutput);
    }

    [Fact]
    public async Task TokenCommand_WithoutSettings_NamesWhatIsMissing()
    {
        var result = await CommandRunner.RunAsync("dotnet", [RepositoryPaths.SmokeClientAssembly, "token"], TimeSpan.FromMinutes(1),
            environment: new Dictionary<string, string?> { ["ENTRA_TENANT_ID"] = null, ["ENTRA_CLIENT_ID"] = null, ["ENTRA_CLIENT_SECRET"] = null, ["SERVER_APP_ID_URI"] = null, ["ENTRA_AUTHORITY"] = null });

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("ENTRA_TENANT_ID (or ENTRA_AUTHORITY), ENTRA_CLIENT_ID, ENTRA_CLIENT_SECRET, SERVER_APP_ID_URI", result.StandardError);
    }

    private Task<ServerProcess> ProtectedServerAsync() => ServerProcess.StartAsync(new Dictionary<string, string?>
    {
        ["Auth__Authority"] = fixture.Issuer.HttpAuthority,
        ["Auth__RequireHttpsMetadata"] = "false",
        ["Auth__Audiences__0"] = TestOidcIssuer.Audience,
        ["Auth__RequiredAppRoles__0"] = "MCP.Access",
    }, aspnetEnvironment: "Production");

    private Task<CommandRunner.Result> SmokeAsync(string[] arguments, TempDirectory files, Dictionary<string, string?>? extra = null)
    {
        var environment = Environment(files, "smoke-client", "smoke-secret");
        foreach (var (key, value) in extra ?? [])
        {
            environment[key] = value;
        }
        return CommandRunner.RunAsync("dotnet", [RepositoryPaths.SmokeClientAssembly, "smoke", .. arguments], TimeSpan.FromMinutes(2), environment: environment);
    }

    private Dictionary<string, string?> Environment(TempDirectory files, string clientId, string secret) => new()
    {
        ["ENTRA_AUTHORITY"] = fixture.Issuer.Issuer,
        ["ENTRA_TENANT_ID"] = TestOidcIssuer.TenantId,
        ["ENTRA_CLIENT_ID"] = clientId,
        ["ENTRA_CLIENT_SECRET"] = secret,
        ["SERVER_APP_ID_URI"] = TestOidcIssuer.Audience,
        ["SSL_CERT_FILE"] = fixture.Issuer.ExportCertificate(files.File("issuer.pem")),
        ["PRYNAI_MCP_TOKEN"] = null,
    };
}

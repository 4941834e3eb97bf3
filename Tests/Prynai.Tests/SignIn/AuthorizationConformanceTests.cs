using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.SignIn;

/// <summary>
/// The MCP conformance suite's authorization-server scenarios (@modelcontextprotocol/conformance 0.2.0-alpha.12,
/// command <c>authorization</c>): <c>authorization-server-metadata-endpoint</c> and <c>authorization-code-grant</c> with
/// <c>--resource</c> = the MCP URL, the suite's browser step played headless by the test. The suite uses
/// <c>token_endpoint_auth_method</c> none whenever the server lists it, even when given a secret, so the confidential
/// client runs against a server configured for confidential clients only (<c>Auth:SignIn:PublicClients=false</c>).
/// </summary>
[Collection(SignInCollection.Name)]
public sealed class AuthorizationConformanceTests(SignInFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task PreRegisteredPublicClient_PassesEveryAuthorizationScenario()
    {
        var run = await RunAsync(fixture.Issuer, fixture.McpUrl, SignInFixture.PublicClientId, secret: null);

        AssertPassed(run);
        // Both metadata checks passed: the metadata itself and client_id_metadata_document_supported=true.
        Assert.Contains("authorization-server-metadata-endpoint: 2 passed, 0 failed", run.StandardOutput);
    }

    [Fact]
    public async Task PreRegisteredConfidentialClient_PassesEveryAuthorizationScenario()
    {
        var settings = new Dictionary<string, string?>(fixture.Settings) { ["Auth:SignIn:PublicClients"] = "false" };
        await using var confidentialOnly = KestrelServer.Start(settings: settings);
        var baseUrl = confidentialOnly.BaseAddress.GetLeftPart(UriPartial.Authority);

        var run = await RunAsync(baseUrl + "/", baseUrl + "/mcp", SignInFixture.ConfidentialClientId, SignInFixture.ConfidentialSecret);

        AssertPassed(run);
    }

    private async Task<CommandRunner.Result> RunAsync(string issuer, string resource, string clientId, string? secret)
    {
        await NodeTooling.EnsureInstalledAsync();
        string[] arguments =
        [
            Path.Combine(RepositoryPaths.NodeModules, "conformance-next", "dist", "index.js"), "authorization",
            "--url", issuer, "--client-id", clientId, "--resource", resource, "--port", FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            .. secret is null ? Array.Empty<string>() : ["--client-secret", secret],
        ];
        var run = await InteractiveClientRun.RunAsync(RepositoryPaths.Node22, arguments, () => fixture.Browser(SignInFixture.Bob), TimeSpan.FromMinutes(2),
            plainUrls: true, authorizePrefix: issuer + "authorize?");
        output.WriteLine(run.ToString());
        return run;
    }

    private static void AssertPassed(CommandRunner.Result run)
    {
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("authorization-code-grant: 1 passed, 0 failed", run.StandardOutput);
        Assert.Matches(@"Total: \d+ passed, 0 failed", run.StandardOutput);
    }
}

using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using ModelContextProtocol.Authentication;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.SignIn;

/// <summary>
/// Real MCP clients finish the sign-in headless against the Entra stand-in (the test plays the browser), then list
/// tools and call the role-restricted one as the signed-in user.
/// </summary>
[Collection(SignInCollection.Name)]
public sealed class SignInClientTests(SignInFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task TypeScriptSdk_RegistersDynamically_SignsIn_AndCallsTheAdminTool()
    {
        var report = await RunTypeScriptAsync([]);

        Assert.StartsWith("dcr_", report["clientId"]!.GetValue<string>());
        AssertCalledAdminTool(report);
    }

    [Fact]
    public async Task TypeScriptSdk_WithAClientIdMetadataDocument_SignsIn_AndCallsTheAdminTool()
    {
        var url = fixture.StandIn.Authority.PublishDocument("ts-client.json", "");
        fixture.StandIn.Authority.PublishDocument("ts-client.json", new JsonObject
        {
            ["client_id"] = url,
            ["client_name"] = "Prynai TS SDK test client (CIMD)",
            ["redirect_uris"] = new JsonArray("http://127.0.0.1/callback"),
            ["grant_types"] = new JsonArray("authorization_code", "refresh_token"),
            ["response_types"] = new JsonArray("code"),
            ["token_endpoint_auth_method"] = "none",
        }.ToJsonString());

        var report = await RunTypeScriptAsync(["--client-metadata-url", url]);

        Assert.Equal(url, report["clientId"]!.GetValue<string>());
        AssertCalledAdminTool(report);
    }

    [Fact]
    public async Task CSharpSdk_SignsIn_AndCallsTheAdminTool()
    {
        var signIns = 0;
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(fixture.McpUrl),
            OAuth = new ClientOAuthOptions
            {
                RedirectUri = new Uri("http://127.0.0.1:9/csharp-callback"),
                DynamicClientRegistration = new DynamicClientRegistrationOptions { ClientName = "Prynai C# SDK test client" },
                AuthorizationCallbackHandler = async (context, cancellationToken) =>
                {
                    signIns++;
                    using var browser = fixture.Browser(SignInFixture.Alice);
                    var landed = await browser.FollowAsync(context.AuthorizationUri.AbsoluteUri, context.RedirectUri.AbsoluteUri, cancellationToken: cancellationToken)
                        ?? throw new InvalidOperationException(browser.LastPage);
                    var query = QueryHelpers.ParseQuery(landed.Query);
                    return new AuthorizationResult { Code = query["code"].ToString(), State = query["state"].ToString(), Iss = query["iss"].ToString() };
                },
            },
        });
        await using var client = await McpClient.CreateAsync(transport, new McpClientOptions { ClientInfo = new Implementation { Name = "csharp-signin", Version = "1" } },
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.Contains("reset_counter", (await client.ListToolsAsync(cancellationToken: TestContext.Current.CancellationToken)).Select(t => t.Name));
        var result = await client.CallToolAsync("reset_counter", cancellationToken: TestContext.Current.CancellationToken);
        Assert.NotEqual(true, result.IsError);
        Assert.Equal(1, signIns);
    }

    [Fact]
    public async Task McpRemote_SignsIn_AndBridgesStdioToTheAdminTool()
    {
        await NodeTooling.EnsureInstalledAsync();
        using var config = new TempDirectory("mcp-remote");
        Task? browserStep = null;
        var stderr = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "mcp-remote",
            Command = RepositoryPaths.Node22,
            Arguments = [Path.Combine(RepositoryPaths.NodeModules, "mcp-remote", "dist", "proxy.js"), fixture.McpUrl, "--transport", "http-only"],
            EnvironmentVariables = new Dictionary<string, string?> { ["MCP_REMOTE_CONFIG_DIR"] = config.Path, ["BROWSER"] = "/bin/false", ["DISPLAY"] = null },
            StandardErrorLines = line =>
            {
                stderr.Enqueue(line);
                // mcp-remote prints the authorization URL for the user (and fails to open a browser here): the test is the browser.
                var at = line.IndexOf(fixture.BaseUrl + "/authorize?", StringComparison.Ordinal);
                if (at >= 0 && browserStep is null)
                {
                    var url = line[at..].Trim();
                    browserStep = Task.Run(async () =>
                    {
                        var redirect = QueryHelpers.ParseQuery(new Uri(url).Query)["redirect_uri"].ToString();
                        using var browser = fixture.Browser(SignInFixture.Alice);
                        var landed = await browser.FollowAsync(url, redirect) ?? throw new InvalidOperationException(browser.LastPage);
                        using var deliver = new HttpClient();
                        (await deliver.GetAsync(landed)).Dispose();
                    });
                }
            },
        });
        try
        {
            // As Claude Desktop does, the local side speaks a session revision to the bridge.
            await using var client = await McpClient.CreateAsync(transport, new McpClientOptions { ClientInfo = new Implementation { Name = "via-mcp-remote", Version = "1" }, ProtocolVersion = "2025-11-25" },
                cancellationToken: TestContext.Current.CancellationToken);
            Assert.Contains("reset_counter", (await client.ListToolsAsync(cancellationToken: TestContext.Current.CancellationToken)).Select(t => t.Name));
            var result = await client.CallToolAsync("reset_counter", cancellationToken: TestContext.Current.CancellationToken);
            Assert.NotEqual(true, result.IsError);
            Assert.NotNull(browserStep);
            await browserStep;
        }
        finally
        {
            output.WriteLine(string.Join('\n', stderr));
        }
    }

    private async Task<JsonObject> RunTypeScriptAsync(string[] extra)
    {
        await NodeTooling.EnsureInstalledAsync();
        var run = await InteractiveClientRun.RunAsync(RepositoryPaths.Node22,
            [Path.Combine(RepositoryPaths.Tests, "ts-client", "signin.mjs"), "--url", fixture.McpUrl, "--tool", "reset_counter", .. extra],
            () => fixture.Browser(SignInFixture.Alice), TimeSpan.FromMinutes(2));
        output.WriteLine(run.ToString());
        Assert.True(run.ExitCode == 0, run.ToString());
        return InteractiveClientRun.LastJson(run.StandardOutput);
    }

    private static void AssertCalledAdminTool(JsonObject report)
    {
        Assert.Null(report["error"]);
        Assert.Contains("reset_counter", report["tools"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.False(report["call"]!["isError"]!.GetValue<bool>(), report.ToJsonString());
    }
}

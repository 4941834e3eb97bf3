using System.Text.Json.Nodes;
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

using System.Net;
using Prynai.McpServer.Security;
using Prynai.McpServer.Security.RequestChecks;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Security;

/// <summary>DNS-rebinding protection: MCP routes refuse foreign Host and Origin headers; health stays reachable.</summary>
public sealed class RequestOriginTests
{
    [Theory]
    [InlineData("evil.example.com", null)]
    [InlineData("localhost", "http://evil.example.com")]
    [InlineData("127.0.0.1:8000", "https://attacker.test")]
    [InlineData("localhost", "null")]
    public async Task Mcp_ForeignHostOrOrigin_Is403(string host, string? origin)
    {
        using var server = new PrynaiServerFactory();
        var request = McpHttp.Initialize();
        request.Headers.Host = host;
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        using var response = await server.CreateClient().SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("is not allowed for this server", (await McpHttp.ResponseAsync(response))["error"]!["message"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("localhost", null)]
    [InlineData("localhost:8000", "http://localhost:8000")]
    [InlineData("127.0.0.1:8000", "http://localhost:3000")]
    [InlineData("[::1]:8000", null)]
    [InlineData("mcp.contoso.com", "https://mcp.contoso.com")]
    [InlineData("prynai--rev2.happyfield.eastus.azurecontainerapps.io", null)]
    [InlineData("api.partner.test", "https://app.partner.test")]
    public async Task Mcp_AllowedHostAndOrigin_IsServed(string host, string? origin)
    {
        using var server = new PrynaiServerFactory(new Dictionary<string, string?>
        {
            ["Security:AllowedHosts:0"] = "mcp.contoso.com",
            ["Security:AllowedHosts:1"] = "*.azurecontainerapps.io",
            ["Security:AllowedHosts:2"] = "api.partner.test",
            ["Security:AllowedOrigins:0"] = "https://app.partner.test",
        });
        var request = McpHttp.Initialize();
        request.Headers.Host = host;
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        using var response = await server.CreateClient().SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Health_IsNotAnMcpRoute_AndAnswersAnyHost()
    {
        using var server = new PrynaiServerFactory();
        var request = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        request.Headers.Host = "10.0.0.7:8080";

        using var response = await server.CreateClient().SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public void ContainerApps_AllowsItsOwnDomain_WithoutConfiguration()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["CONTAINER_APP_ENV_DNS_SUFFIX"] = "happyfield-1a2b.eastus.azurecontainerapps.io" })
            .Build();
        var options = new RequestOriginOptions();
        new ContainerAppsHostDefaults(configuration).PostConfigure(null, options);

        Assert.True(RequestOriginValidationMiddleware.IsAllowedHost("prynai-mcp.happyfield-1a2b.eastus.azurecontainerapps.io", options));
        Assert.True(RequestOriginValidationMiddleware.IsAllowedHost("prynai-mcp--0000007.happyfield-1a2b.eastus.azurecontainerapps.io", options));
        Assert.False(RequestOriginValidationMiddleware.IsAllowedHost("prynai-mcp.otherenv.eastus.azurecontainerapps.io", options));
        Assert.False(RequestOriginValidationMiddleware.IsAllowedHost("evilhappyfield-1a2b.eastus.azurecontainerapps.io.evil.test", options));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}

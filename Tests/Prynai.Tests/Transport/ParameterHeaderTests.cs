using System.Net;
using System.Text.Json.Nodes;
using Prynai.ConformanceHost;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Transport;

/// <summary>
/// SEP-2243 custom headers: on 2026-07-28, a tools/call whose tool annotates parameters with x-mcp-header must carry
/// matching Mcp-Param-* headers (the conformance fixture test_custom_headers has a string, an integer and a boolean one).
/// </summary>
public sealed class ParameterHeaderTests(ParameterHeaderTests.ConformanceServer server) : IClassFixture<ParameterHeaderTests.ConformanceServer>
{
    public sealed class ConformanceServer : IDisposable
    {
        public PrynaiServerFactory Factory { get; } = new(configureServices: services => services.AddConformanceFixtures());

        public void Dispose() => Factory.Dispose();
    }

    private HttpClient Client { get; } = server.Factory.CreateClient();

    [Fact]
    public async Task ToolsList_AnnotatesTheFixtureParameters()
    {
        await using var client = await server.Factory.ConnectAsync();
        var tool = (await client.ListToolsAsync(cancellationToken: Ct)).Single(t => t.Name == "test_custom_headers");
        var properties = tool.ProtocolTool.InputSchema.GetProperty("properties");
        Assert.Equal("Region", properties.GetProperty("region").GetProperty("x-mcp-header").GetString());
        Assert.Equal("Priority", properties.GetProperty("priority").GetProperty("x-mcp-header").GetString());
    }

    [Theory]
    [InlineData("us-west1", "us-west1")]
    [InlineData("  us-west1\t", "us-west1")]
    [InlineData("=?base64?dXMtd2VzdDE=?=", "us-west1")]
    [InlineData("=?base64?SGVsbG8=", "=?base64?SGVsbG8=")]
    [InlineData("=?base64?w6lsw6k=?=", "élé")]
    public async Task MatchingHeader_IsAccepted(string header, string region)
    {
        using var response = await CallAsync(new JsonObject { ["region"] = region }, ("Region", header));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"region={region} priority=- verbose=-", Text(await McpHttp.ResponseAsync(response)));
    }

    [Fact]
    public async Task IntegerAndBoolean_AreComparedByValue()
    {
        using var response = await CallAsync(new JsonObject { ["region"] = "eu", ["priority"] = 42, ["verbose"] = true },
            ("Region", "eu"), ("Priority", "42.0"), ("Verbose", "true"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("region=eu priority=42 verbose=True", Text(await McpHttp.ResponseAsync(response)));
    }

    [Theory]
    [InlineData("Region", null, "The Mcp-Param-Region header is required")]
    [InlineData("Region", "eu-north1", "does not match the argument 'region'")]
    [InlineData("Region", "=?base64?SGVsbG8?=", "invalid Base64")]
    [InlineData("Region", "=?base64?SGVs!!!bG8=?=", "invalid Base64")]
    [InlineData("Priority", "7", "does not match the argument 'priority'")]
    [InlineData("Priority", "9007199254740993", "within ±9007199254740991")]
    [InlineData("Verbose", "True", "does not match the argument 'verbose'")]
    public async Task DisagreeingHeader_Is400HeaderMismatch_AndTheToolDoesNotRun(string header, string? value, string expected)
    {
        var headers = new List<(string, string)> { ("Region", "us-west1"), ("Priority", "3"), ("Verbose", "false") };
        headers.RemoveAll(h => h.Item1 == header);
        if (value is not null)
        {
            headers.Add((header, value));
        }
        using var response = await CallAsync(new JsonObject { ["region"] = "us-west1", ["priority"] = 3, ["verbose"] = false }, [.. headers]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var error = await McpHttp.ResponseAsync(response);
        Assert.Equal(-32020, McpHttp.ErrorCode(error));
        Assert.Contains(expected, error["error"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task HeaderWithoutItsArgument_IsRefused()
    {
        using var response = await CallAsync(new JsonObject { ["region"] = "eu" }, ("Region", "eu"), ("Priority", "1"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Mcp-Param-Priority header is present, but the argument 'priority'", (await McpHttp.ResponseAsync(response))["error"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task NonAsciiHeaderValue_IsRefused()
    {
        var request = Request(new JsonObject { ["region"] = "é" });
        request.Headers.TryAddWithoutValidation("Mcp-Param-Region", "é");
        using var response = await Client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task SessionRevisions_AreNotChecked()
    {
        await using var client = await server.Factory.ConnectAsync("2025-11-25");
        var result = await client.CallToolAsync("test_custom_headers", new Dictionary<string, object?> { ["region"] = "eu" }, cancellationToken: Ct);
        Assert.NotEqual(true, result.IsError);
    }

    [Fact]
    public async Task TheSdkClient_MirrorsTheParameters_AndIsServed()
    {
        await using var client = await server.Factory.ConnectAsync();
        // The client mirrors parameters of tools whose schema it has seen.
        var tool = (await client.ListToolsAsync(cancellationToken: Ct)).Single(t => t.Name == "test_custom_headers");
        var result = await tool.CallAsync(
            new Dictionary<string, object?> { ["region"] = "ap-south 1 ü", ["priority"] = 5, ["verbose"] = false }, cancellationToken: Ct);
        Assert.NotEqual(true, result.IsError);
        Assert.Equal("region=ap-south 1 ü priority=5 verbose=False", ((ModelContextProtocol.Protocol.TextContentBlock)result.Content[0]).Text);
    }

    private Task<HttpResponseMessage> CallAsync(JsonObject arguments, params (string Name, string Value)[] headers)
    {
        var request = Request(arguments);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation("Mcp-Param-" + name, value);
        }
        return Client.SendAsync(request, Ct);
    }

    private static HttpRequestMessage Request(JsonObject arguments) =>
        McpHttp.StatelessRequest("tools/call", new JsonObject { ["name"] = "test_custom_headers", ["arguments"] = arguments }, name: "test_custom_headers");

    private static string Text(JsonObject response) => response["result"]!["content"]![0]!["text"]!.GetValue<string>();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}

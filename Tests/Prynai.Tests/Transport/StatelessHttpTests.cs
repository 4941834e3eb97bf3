using System.Net;
using System.Text.Json.Nodes;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Transport;

/// <summary>Protocol 2026-07-28 on the wire: header rules, error codes and the HTTP statuses they map to.</summary>
public sealed class StatelessHttpTests(SharedServer server) : IClassFixture<SharedServer>
{
    private HttpClient Client { get; } = server.Factory.CreateClient();

    [Fact]
    public async Task ToolsCall_ValidRequest_AnswersWithOneJsonBodyWithoutASession()
    {
        using var response = await Client.SendAsync(McpHttp.StatelessRequest("tools/call",
            new JsonObject { ["name"] = "add", ["arguments"] = new JsonObject { ["a"] = 2, ["b"] = 3 } }, name: "add"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((await response.Content.ReadAsByteArrayAsync(Ct)).Length, response.Content.Headers.ContentLength);
        Assert.False(response.Headers.Contains("Mcp-Session-Id"));
        var message = await McpHttp.ResponseAsync(response);
        Assert.Equal(5, message["result"]!["structuredContent"]!["result"]!.GetValue<double>());
        Assert.Equal("complete", message["result"]!["resultType"]!.GetValue<string>());
    }

    [Fact]
    public async Task ToolsCall_WithAProgressToken_StreamsEachStepInOrderBeforeTheResult()
    {
        var meta = McpHttp.Meta();
        meta["progressToken"] = "p-1";
        using var response = await Client.SendAsync(McpHttp.StatelessRequest("tools/call",
            new JsonObject { ["name"] = "long_task", ["arguments"] = new JsonObject { ["steps"] = 5 }, ["_meta"] = meta }, name: "long_task"), Ct);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var messages = await McpHttp.MessagesAsync(response);
        var progress = messages.Where(m => m["method"]?.GetValue<string>() == "notifications/progress").Select(m => m["params"]!).ToList();
        Assert.Equal([1d, 2d, 3d, 4d, 5d], progress.Select(p => p["progress"]!.GetValue<double>()));
        Assert.Equal(["step 1/5", "step 2/5", "step 3/5", "step 4/5", "step 5/5"], progress.Select(p => p["message"]!.GetValue<string>()));
        Assert.All(progress, p => Assert.Equal("p-1", p["progressToken"]!.GetValue<string>()));
        Assert.Equal("done", messages[^1]["result"]!["structuredContent"]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task ToolsCall_WithAProgressToken_SendsTheFirstStepBeforeTheNextOneIsTaken()
    {
        using var factory = new PrynaiServerFactory(new Dictionary<string, string?> { ["Tools:StepDelay"] = "00:00:01" });
        var client = factory.CreateClient();
        var meta = McpHttp.Meta();
        meta["progressToken"] = "p-early";
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using var stream = await SseStream.OpenAsync(client, McpHttp.StatelessRequest("tools/call",
            new JsonObject { ["name"] = "long_task", ["arguments"] = new JsonObject { ["steps"] = 3 }, ["_meta"] = meta }, name: "long_task"));

        var first = await stream.NextAsync("notifications/progress");
        Assert.Equal(1, first["params"]!["progress"]!.GetValue<double>());
        // Step 1 is reported after 1 s, step 2 after 2 s: the first notification leaves as soon as it is written,
        // not held back until a second message shows this answer is a stream.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1.9), $"the first progress notification arrived after {clock.Elapsed.TotalSeconds:0.00} s");
    }

    [Fact]
    public async Task ServerDiscover_ListsOnlyTheStatelessRevision()
    {
        using var response = await Client.SendAsync(McpHttp.StatelessRequest("server/discover"), Ct);
        var result = (await McpHttp.ResponseAsync(response))["result"]!;

        Assert.Contains("2026-07-28", result["supportedVersions"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.NotNull(result["capabilities"]!["tools"]);
    }

    [Fact]
    public async Task MethodHeader_NotMatchingTheBody_Is400HeaderMismatch()
    {
        var request = McpHttp.StatelessRequest("tools/list");
        request.Headers.Remove("Mcp-Method");
        request.Headers.Add("Mcp-Method", "prompts/list");

        await AssertErrorAsync(request, HttpStatusCode.BadRequest, -32020, "does not match the body's method 'tools/list'");
    }

    [Fact]
    public async Task MethodHeader_Missing_Is400HeaderMismatch()
    {
        var request = McpHttp.StatelessRequest("tools/list");
        request.Headers.Remove("Mcp-Method");

        await AssertErrorAsync(request, HttpStatusCode.BadRequest, -32020, "Mcp-Method header is required");
    }

    [Theory]
    [InlineData("wrong_tool", 400)]
    [InlineData("  add  ", 200)]
    [InlineData("=?base64?YWRk?=", 200)]
    [InlineData("=?base64?YWRk", 400)]
    public async Task NameHeader_IsComparedWithTheBody_AfterTrimmingAndBase64Decoding(string header, int status)
    {
        var request = McpHttp.StatelessRequest("tools/call",
            new JsonObject { ["name"] = "add", ["arguments"] = new JsonObject { ["a"] = 1, ["b"] = 1 } });
        request.Headers.TryAddWithoutValidation("Mcp-Name", header);

        using var response = await Client.SendAsync(request, Ct);
        Assert.Equal(status, (int)response.StatusCode);
        if (status == 400)
        {
            Assert.Equal(-32020, McpHttp.ErrorCode(await McpHttp.ResponseAsync(response)));
        }
    }

    [Fact]
    public async Task NameHeader_MissingOnResourcesRead_Is400()
    {
        var request = McpHttp.StatelessRequest("resources/read", new JsonObject { ["uri"] = "prynai://status" });
        await AssertErrorAsync(request, HttpStatusCode.BadRequest, -32020, "Mcp-Name header is required for resources/read");
    }

    [Fact]
    public async Task MetaVersion_NotMatchingTheHeader_Is400HeaderMismatch()
    {
        var request = McpHttp.StatelessRequest("tools/list", new JsonObject { ["_meta"] = McpHttp.Meta("v999.0.0") });
        await AssertErrorAsync(request, HttpStatusCode.BadRequest, -32020, "does not match params._meta protocol version 'v999.0.0'");
    }

    [Fact]
    public async Task UnsupportedVersion_Is400_ListingOnlyTheVersionsOfThisWire()
    {
        var request = McpHttp.StatelessRequest("server/discover", new JsonObject { ["_meta"] = McpHttp.Meta("v999.0.0") });
        request.Headers.Remove("MCP-Protocol-Version");
        request.Headers.Add("MCP-Protocol-Version", "v999.0.0");

        var error = await AssertErrorAsync(request, HttpStatusCode.BadRequest, -32022, "Unsupported protocol version 'v999.0.0'");
        Assert.Equal(["2026-07-28"], error["error"]!["data"]!["supported"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal("v999.0.0", error["error"]!["data"]!["requested"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("io.modelcontextprotocol/protocolVersion")]
    [InlineData("io.modelcontextprotocol/clientCapabilities")]
    public async Task MetaWithoutARequiredKey_Is400InvalidParams(string key)
    {
        var meta = McpHttp.Meta();
        meta.Remove(key);
        var request = McpHttp.StatelessRequest("server/discover", new JsonObject { ["_meta"] = meta });

        await AssertErrorAsync(request, HttpStatusCode.BadRequest, -32602, key);
    }

    [Theory]
    [InlineData("initialize")]
    [InlineData("ping")]
    [InlineData("logging/setLevel")]
    [InlineData("resources/subscribe")]
    [InlineData("resources/unsubscribe")]
    [InlineData("no/such-method")]
    public async Task MethodsThisRevisionDoesNotHave_Are404MethodNotFound(string method)
    {
        await AssertErrorAsync(McpHttp.StatelessRequest(method, id: 77), HttpStatusCode.NotFound, -32601, expectedId: 77);
    }

    [Fact]
    public async Task UnknownResource_Is400InvalidParams_NamingTheUri()
    {
        var request = McpHttp.StatelessRequest("resources/read", new JsonObject { ["uri"] = "prynai://nope" }, name: "prynai://nope");
        var error = await AssertErrorAsync(request, HttpStatusCode.BadRequest, -32602);
        Assert.Equal("prynai://nope", error["error"]!["data"]?["uri"]?.GetValue<string>());
    }

    [Fact]
    public async Task UnknownTool_Is400InvalidParams()
    {
        var request = McpHttp.StatelessRequest("tools/call", new JsonObject { ["name"] = "nope" }, name: "nope");
        await AssertErrorAsync(request, HttpStatusCode.BadRequest, -32602);
    }

    [Fact]
    public async Task GetAndDelete_AreNotPartOfThisRevision_405()
    {
        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Delete })
        {
            var request = new HttpRequestMessage(method, "/mcp");
            request.Headers.Add("MCP-Protocol-Version", "2026-07-28");
            request.Headers.Add("Accept", "text/event-stream");
            using var response = await Client.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
            Assert.Equal("POST", response.Content.Headers.Allow.Single());
        }
    }

    [Fact]
    public async Task Notification_IsAccepted_WithNoBody()
    {
        var request = McpHttp.Post(new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["method"] = "notifications/cancelled",
            ["params"] = new JsonObject { ["requestId"] = 99, ["_meta"] = McpHttp.Meta() },
        }.ToJsonString());
        request.Headers.Add("MCP-Protocol-Version", "2026-07-28");
        request.Headers.Add("Mcp-Method", "notifications/cancelled");

        using var response = await Client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsStringAsync(Ct));
    }

    private async Task<JsonObject> AssertErrorAsync(HttpRequestMessage request, HttpStatusCode status, int code, string? messagePart = null, int expectedId = 1)
    {
        using var response = await Client.SendAsync(request, Ct);
        var message = await McpHttp.ResponseAsync(response);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(code, McpHttp.ErrorCode(message));
        Assert.Equal(expectedId, message["id"]!.GetValue<int>());
        if (messagePart is not null)
        {
            Assert.Contains(messagePart, message["error"]!["message"]!.GetValue<string>());
        }
        return message;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Prynai.McpServer.Transport;
using Prynai.McpServer.Transport.Sessions;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Transport;

/// <summary>
/// One regression test per class of bad input that used to be a 500 or a bare "An error occurred": each gets the
/// precise JSON-RPC error, on both protocol generations, with the HTTP status the docs promise.
/// </summary>
public sealed class BadInputClassTests(SharedServer server) : IClassFixture<SharedServer>
{
    private HttpClient Client { get; } = server.Factory.CreateClient();

    public static TheoryData<string, string> TextThatIsNotUnicode => new()
    {
        // field, raw JSON text of a message whose field holds the bad text ("BAD" is replaced by the bytes)
        { "jsonrpc", """{"jsonrpc":"2.0BAD","id":7,"method":"tools/list","params":{}}""" },
        { "method", """{"jsonrpc":"2.0","id":7,"method":"tools/listBAD","params":{}}""" },
        { "params.name", """{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"addBAD","arguments":{"a":1,"b":2}}}""" },
        { "params.uri", """{"jsonrpc":"2.0","id":7,"method":"resources/read","params":{"uri":"prynai://counterBAD"}}""" },
        { "params._meta", """{"jsonrpc":"2.0","id":7,"method":"tools/list","params":{"_meta":{"progressToken":"tBAD"}}}""" },
        { "params.arguments.text", """{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hiBAD"}}}""" },
    };

    [Theory, MemberData(nameof(TextThatIsNotUnicode))]
    public async Task InvalidUtf8_InAnyField_IsAParseError400(string field, string template)
    {
        foreach (var generation in Generations)
        {
            byte[] body = [.. Encoding.UTF8.GetBytes(template.Split("BAD")[0]), 0xFF, 0xFE, .. Encoding.UTF8.GetBytes(template.Split("BAD")[1])];
            using var response = await Client.SendAsync(await generation.RequestAsync(Client, body), Ct);

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var error = await McpHttp.ResponseAsync(response);
            Assert.Equal(-32700, McpHttp.ErrorCode(error));
            Assert.Contains("is not valid UTF-8", Message(error));
            Assert.Contains(field.Split('.')[^1], Message(error));
        }
    }

    [Theory, MemberData(nameof(TextThatIsNotUnicode))]
    public async Task LoneSurrogate_InAnyField_IsInvalidRequestOrInvalidParams_400(string field, string template)
    {
        foreach (var generation in Generations)
        {
            var body = Encoding.UTF8.GetBytes(template.Replace("BAD", "\\ud800", StringComparison.Ordinal));
            using var response = await Client.SendAsync(await generation.RequestAsync(Client, body), Ct);

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var error = await McpHttp.ResponseAsync(response);
            Assert.Equal(field.StartsWith("params", StringComparison.Ordinal) ? -32602 : -32600, McpHttp.ErrorCode(error));
            Assert.Contains("lone surrogate", Message(error));
            if (field.StartsWith("params", StringComparison.Ordinal))
            {
                Assert.Equal(7, error["id"]!.GetValue<int>());
            }
        }
    }

    [Fact]
    public async Task RepeatedPropertyNames_EvenInDifferentCase_AreInvalidParams()
    {
        var body = Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"text":"a","TEXT":"b"}}}""");
        using var response = await Client.SendAsync(await Generations[0].RequestAsync(Client, body), Ct);

        var error = await McpHttp.ResponseAsync(response);
        Assert.Equal(-32602, McpHttp.ErrorCode(error));
        Assert.Contains("params.arguments has the property 'TEXT' twice", Message(error));
    }

    public static TheoryData<string, string, string> WrongShapedParams => new()
    {
        { "tools/call", """{"name":"add","arguments":[1,2]}""", "params.arguments must be an object when present, got an array" },
        { "tools/call", """{"name":"add","arguments":"a=1"}""", "params.arguments must be an object when present, got a string" },
        { "tools/call", """{"name":"add","arguments":12}""", "params.arguments must be an object when present, got the number 12" },
        { "tools/call", """{"name":7}""", "params.name must be a string, got the number 7" },
        { "prompts/get", """{"name":"quick_summary","arguments":{"title":null}}""", "params.arguments.title must be a string, got null" },
        { "prompts/get", """{"name":"quick_summary","arguments":{"tone":5}}""", "params.arguments.tone must be a string, got the number 5" },
        { "tools/list", """{"cursor":5}""", "params.cursor must be a string when present, got the number 5" },
        { "prompts/list", """{"cursor":{}}""", "params.cursor must be a string when present, got an object" },
        { "resources/read", """{"uri":42}""", "params.uri must be a string, got the number 42" },
        { "resources/read", """{"URI":"prynai://counter"}""", "params.uri must be a string, got none (member names are case-sensitive; found 'URI')" },
        { "completion/complete", """{"ref":{"type":"ref/prompt"},"argument":{"name":"tone","value":"f"}}""", "params.ref.name must be a string, got none" },
        { "tools/call", """{"name":"echo","arguments":{"text":"x"},"_meta":{"progressToken":{"a":1}}}""", "params._meta.progressToken must be a string or an integer, got an object" },
    };

    [Theory, MemberData(nameof(WrongShapedParams))]
    public async Task WrongShapedParams_AreInvalidParams_400OnTheStatelessRevision(string method, string parameters, string message)
    {
        var p = JsonNode.Parse(parameters)!.AsObject();
        if (p["_meta"] is JsonObject meta)
        {
            foreach (var (key, value) in McpHttp.Meta())
            {
                meta[key] = value?.DeepClone();
            }
        }
        var name = method switch
        {
            "tools/call" or "prompts/get" => p["name"]?.ToString() ?? "none",
            "resources/read" => "prynai://counter",
            _ => null,
        };
        using var response = await Client.SendAsync(McpHttp.StatelessRequest(method, p, name: name, id: 11), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await McpHttp.ResponseAsync(response);
        Assert.Equal(-32602, McpHttp.ErrorCode(error));
        Assert.Equal(11, error["id"]!.GetValue<int>());
        Assert.Equal($"Invalid params: {message}.", Message(error));
    }

    [Theory, MemberData(nameof(WrongShapedParams))]
    public async Task WrongShapedParams_AreInvalidParams_OnASession(string method, string parameters, string message)
    {
        var session = await McpSessions.InitializeAsync(Client);
        using var response = await Client.SendAsync(McpHttp.SessionRequest(session, method, JsonNode.Parse(parameters)!.AsObject(), id: 12), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var error = await McpHttp.ResponseAsync(response);
        Assert.Equal(-32602, McpHttp.ErrorCode(error));
        Assert.Equal(12, error["id"]!.GetValue<int>());
        Assert.Equal($"Invalid params: {message}.", Message(error));
    }

    private static readonly string[] MalformedInitializeParams =
    [
        """[]""",
        """{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":"me"}""",
        """{"protocolVersion":"2025-11-25","capabilities":[],"clientInfo":{"name":"x","version":"1"}}""",
        """{"protocolVersion":"2025-11-25","capabilities":{"sampling":5},"clientInfo":{"name":"x","version":"1"}}""",
        """{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"x"}}""",
        """{"protocolVersion":7,"capabilities":{},"clientInfo":{"name":"x","version":"1"}}""",
        """{"protocolVersion":"2099-01-01","capabilities":{},"clientInfo":{"name":"x","version":"1"}}""",
    ];

    [Fact]
    public async Task MalformedInitialize_CreatesNoSession_AndNeverLocksOutRealClients()
    {
        using var capped = new PrynaiServerFactory(new Dictionary<string, string?> { ["Mcp:MaxSessions"] = "2" });
        var client = capped.CreateClient();
        var sessions = capped.Services.GetRequiredService<ResidentSessions>();

        foreach (var parameters in MalformedInitializeParams)
        {
            for (var attempt = 0; attempt < 3; attempt++)
            {
                using var response = await client.SendAsync(McpHttp.Post(
                    $$"""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{{parameters}}}"""), Ct);
                var answer = await McpHttp.ResponseAsync(response);
                Assert.NotNull(answer["error"]);
                Assert.False(response.Headers.Contains("Mcp-Session-Id"), $"a failed initialize ({parameters}) must not name a session");
                Assert.DoesNotContain("An error occurred", Message(answer));
            }
        }
        Assert.Equal(0, sessions.Count);

        // The cap is still there for real clients.
        await McpSessions.InitializeAsync(client);
        await McpSessions.InitializeAsync(client);
        Assert.Equal(2, sessions.Count);
    }

    [Fact]
    public async Task MalformedInitialize_SaysWhichMemberIsWrong()
    {
        using var response = await Client.SendAsync(McpHttp.Post(
            """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{"sampling":"yes"},"clientInfo":{"name":"x","version":"1"}}}"""), Ct);

        var error = await McpHttp.ResponseAsync(response);
        Assert.Equal(-32602, McpHttp.ErrorCode(error));
        Assert.Equal("Invalid params: params.capabilities.sampling has the wrong JSON type (expected an object).", Message(error));
    }

    [Theory]
    [InlineData("steps", "3.0", 3)]
    [InlineData("steps", "2e0", 2)]
    [InlineData("steps", "1E1", 10)]
    public async Task IntegersWrittenWithAFractionOrExponent_AreIntegers(string argument, string written, int steps)
    {
        var body = $$$"""{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"long_task","arguments":{"{{{argument}}}":{{{written}}}},"_meta":{{{McpHttp.Meta().ToJsonString()}}}}}""";
        using var response = await Client.SendAsync(StatelessPost(Encoding.UTF8.GetBytes(body), "tools/call", "long_task"), Ct);

        var result = (await McpHttp.ResponseAsync(response))["result"]!;
        Assert.False(result["isError"]?.GetValue<bool>() ?? false, result.ToJsonString());
        Assert.Equal(steps, result["structuredContent"]!["steps"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("long_task", "steps", "2.5", "'steps' must be an integer, got the number 2.5")]
    [InlineData("long_task", "steps", "1e400", "'steps' must be an integer, got the number 1e400")]
    [InlineData("add", "a", "1e400", "'a' must be a finite number, got 1e400")]
    public async Task NumbersTheBinderCannotRead_AreRefusedInValidation(string tool, string argument, string written, string problem)
    {
        var other = tool == "add" ? ",\"b\":1" : "";
        var body = $$$"""{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"{{{tool}}}","arguments":{"{{{argument}}}":{{{written}}}{{{other}}}},"_meta":{{{McpHttp.Meta().ToJsonString()}}}}}""";
        using var response = await Client.SendAsync(StatelessPost(Encoding.UTF8.GetBytes(body), "tools/call", tool), Ct);

        var result = (await McpHttp.ResponseAsync(response))["result"]!;
        Assert.True(result["isError"]!.GetValue<bool>());
        Assert.Equal($"Invalid arguments for tool '{tool}': {problem}.", result["content"]![0]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task NullForAnOptionalParameter_MeansNotGiven()
    {
        using var response = await Client.SendAsync(McpHttp.StatelessRequest("tools/call",
            new JsonObject { ["name"] = "long_task", ["arguments"] = new JsonObject { ["steps"] = null } }, name: "long_task"), Ct);

        var result = (await McpHttp.ResponseAsync(response))["result"]!;
        Assert.Equal(3, result["structuredContent"]!["steps"]!.GetValue<int>());
    }

    private static HttpRequestMessage StatelessPost(byte[] body, string method, string? name)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("Accept", "application/json, text/event-stream");
        request.Headers.Add("MCP-Protocol-Version", McpHttp.Stateless);
        request.Headers.Add("Mcp-Method", method);
        if (name is not null)
        {
            request.Headers.Add("Mcp-Name", name);
        }
        return request;
    }

    /// <summary>The same bytes as a 2026-07-28 request and as a request on a fresh session.</summary>
    private sealed record Generation(Func<HttpClient, byte[], Task<HttpRequestMessage>> RequestAsync);

    private static readonly Generation[] Generations =
    [
        new((_, body) => Task.FromResult(StatelessPost(body, "tools/list", null))),
        new(async (client, body) =>
        {
            var session = await McpSessions.InitializeAsync(client);
            var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.TryAddWithoutValidation("Accept", "application/json, text/event-stream");
            request.Headers.Add("Mcp-Session-Id", session);
            request.Headers.Add("MCP-Protocol-Version", "2025-11-25");
            return request;
        }),
    ];

    private static string Message(JsonObject error) => error["error"]!["message"]!.GetValue<string>();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}

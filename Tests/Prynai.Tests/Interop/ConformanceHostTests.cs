using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Prynai.ConformanceHost;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Interop;

/// <summary>
/// The conformance suite's host (Tests/Prynai.ConformanceHost): the product's whole surface plus the fixtures, and
/// fixtures that refuse what they cannot do with a tool error instead of an exception in the log.
/// </summary>
public sealed class ConformanceHostTests
{
    [Fact]
    public async Task ConformanceHost_ServesEverythingTheProductServes_PlusOnlyTheFixtures()
    {
        var starting = new[] { ServerProcess.StartAsync(), ServerProcess.StartConformanceHostAsync() };
        await using var product = await starting[0];
        await using var host = await starting[1];

        foreach (var (method, member, key) in new[] { ("tools/list", "tools", "name"), ("resources/list", "resources", "uri"), ("prompts/list", "prompts", "name"),
                     ("resources/templates/list", "resourceTemplates", "uriTemplate") })
        {
            var served = await NamesAsync(product, method, member, key);
            var hosted = await NamesAsync(host, method, member, key);
            Assert.Empty(served.Except(hosted));
            Assert.All(hosted.Except(served), name => Assert.Matches("^(test_|test:|json_schema|greet|slow_compute|failing_job|protocol_error_job|confirm_delete|multi_input)", name));
        }
        Assert.DoesNotContain("test_simple_text", await NamesAsync(product, "tools/list", "tools", "name"));
    }

    [Theory]
    [InlineData("test_sampling", """{"prompt":"hi"}""")]
    [InlineData("test_elicitation", """{"message":"who?"}""")]
    [InlineData("test_elicitation_sep1034_defaults", "{}")]
    [InlineData("test_elicitation_sep1330_enums", "{}")]
    public async Task FixturesThatAskTheClient_WithoutTheCapability_AnswerAToolError_AndLogNothing(string tool, string arguments)
    {
        var logs = new CapturedLogs();
        using var server = new PrynaiServerFactory(configureServices: services => services.AddConformanceFixtures().AddSingleton<ILoggerProvider>(logs));
        var http = server.CreateClient();

        using var stateless = await http.SendAsync(McpHttp.StatelessRequest("tools/call", new JsonObject { ["name"] = tool, ["arguments"] = JsonNode.Parse(arguments) }, name: tool), Ct);
        var statelessResult = (await McpHttp.ResponseAsync(stateless))["result"]!;
        Assert.True(statelessResult["isError"]!.GetValue<bool>());
        Assert.Contains("needs a session", statelessResult["content"]![0]!["text"]!.GetValue<string>());

        var session = await McpSessions.InitializeAsync(http);
        using var onSession = await http.SendAsync(McpHttp.SessionRequest(session, "tools/call", new JsonObject { ["name"] = tool, ["arguments"] = JsonNode.Parse(arguments) }, id: 2), Ct);
        var sessionResult = (await McpHttp.ResponseAsync(onSession))["result"]!;
        Assert.True(sessionResult["isError"]!.GetValue<bool>());
        Assert.Contains("needs a client that declares the", sessionResult["content"]![0]!["text"]!.GetValue<string>());

        Assert.Empty(logs.Entries.Where(entry => entry.Level >= LogLevel.Warning).Select(entry => entry.ToString()));
    }

    [Theory]
    [InlineData("""{"region":"eu","priority":"high"}""", "priority")]
    [InlineData("""{"region":"eu","verbose":"yes"}""", "verbose")]
    [InlineData("""{"region":["eu"]}""", "region")]
    [InlineData("""{"region":"eu","priority":1.5}""", "priority")]
    [InlineData("""{"region":"eu","priority":99999999999}""", "priority")]
    [InlineData("""{"region":"eu","priority":1e400}""", "priority")]
    public async Task CustomHeadersFixture_WithArgumentsOfTheWrongType_NamesTheArgument_AndLogsNothing(string arguments, string argument)
    {
        var logs = new CapturedLogs();
        using var server = new PrynaiServerFactory(configureServices: services => services.AddConformanceFixtures().AddSingleton<ILoggerProvider>(logs));
        var request = McpHttp.StatelessRequest("tools/call",
            new JsonObject { ["name"] = "test_custom_headers", ["arguments"] = JsonNode.Parse(arguments) }, name: "test_custom_headers");
        // As a client mirrors them: each argument's value in its Mcp-Param header.
        foreach (var (name, value) in JsonNode.Parse(arguments)!.AsObject())
        {
            request.Headers.Add($"Mcp-Param-{char.ToUpperInvariant(name[0])}{name[1..]}", value is JsonValue v && v.TryGetValue(out string? plain) ? plain : value!.ToJsonString());
        }
        using var response = await server.CreateClient().SendAsync(request, Ct);
        var answer = await McpHttp.ResponseAsync(response);

        var refusal = answer["error"]?["message"]?.GetValue<string>()
            ?? (answer["result"]!["isError"]?.GetValue<bool>() == true ? answer["result"]!["content"]![0]!["text"]!.GetValue<string>() : null);
        Assert.NotNull(refusal);
        Assert.Contains(argument, refusal, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(logs.Entries.Where(entry => entry.Level >= LogLevel.Warning).Select(entry => entry.ToString()));
    }

    private static async Task<List<string>> NamesAsync(ServerProcess server, string method, string member, string key)
    {
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        using var response = await http.SendAsync(McpHttp.StatelessRequest(method), Ct);
        return [.. (await McpHttp.ResponseAsync(response))["result"]![member]!.AsArray().Select(item => item![key]!.GetValue<string>())];
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}

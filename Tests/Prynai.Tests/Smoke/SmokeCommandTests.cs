using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Smoke;

/// <summary>
/// The smoke command as a user runs it: a real server process, the real CLI, its lines and exit code. The plain smoke
/// runs repeat against one server, as they would against a deployment.
/// </summary>
public sealed class SmokeCommandTests(SmokeCommandTests.Server shared) : IClassFixture<SmokeCommandTests.Server>
{
    private static readonly string[] Lines =
        ["TOOLS:", "RESOURCES:", "PROMPTS:", "STATUS: ok", "ADD RESULT: 5", "COUNTER:", "COUNTER_AFTER:", "PROMPT TEXT: Write a concise, formal summary.", "SAMPLING RESULT:", "LONG_TASK: done"];

    [Theory]
    [InlineData(new string[0], "SAMPLING RESULT: MOCK:")]
    [InlineData(new[] { "--protocol", "2025-11-25" }, "SAMPLING RESULT: MOCK:")]
    [InlineData(new[] { "--no-sampling" }, "SAMPLING RESULT: sampling unavailable")]
    [InlineData(new[] { "--protocol", "2025-06-18", "--no-sampling" }, "SAMPLING RESULT: sampling unavailable")]
    public async Task Smoke_AgainstTheServer_PrintsEveryLine_AndExitsZero(string[] options, string samplingLine)
    {
        var server = shared.Process;
        var result = await SmokeCommand.RunAsync(["--url", server.McpEndpoint.ToString(), .. options]);

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var line in Lines.Append(samplingLine))
        {
            Assert.Contains(line, result.StandardOutput);
        }
        Assert.Contains("SMOKE: PASS", result.StandardOutput);
    }

    [Fact]
    public async Task Smoke_UsesPrynaiMcpUrl_WhenNoUrlIsGiven()
    {
        var result = await SmokeCommand.RunAsync([], new Dictionary<string, string?> { ["PRYNAI_MCP_URL"] = shared.Process.McpEndpoint.ToString() });
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task Smoke_WithNothingListening_ExitsNonZero()
    {
        var result = await SmokeCommand.RunAsync(["--url", $"http://127.0.0.1:{FreePort.Next()}/mcp"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("FAILED connect", result.StandardError);
        Assert.Contains("SMOKE: FAIL", result.StandardOutput);
    }

    [Fact]
    public async Task Smoke_AgainstAServerThatAnswersWrongly_ExitsNonZero_NamingTheChecks()
    {
        // A stand-in that speaks enough MCP to connect but whose add returns 6, without the "unit" its own output
        // schema requires, and whose status is "down".
        await using var broken = await BrokenServer.StartAsync();
        var result = await SmokeCommand.RunAsync(["--url", broken.Url, "--protocol", "2025-11-25"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("FAILED add: add(2, 3) should be 5, got 6", result.StandardError);
        Assert.Contains("FAILED status", result.StandardError);
        Assert.Contains("FAILED output schemas: add: /: Required properties [\"unit\"] are not present", result.StandardError);
        Assert.Contains("SMOKE: FAIL", result.StandardOutput);
    }

    [Fact]
    public async Task Smoke_WithAnInvalidUrl_ExitsTwo()
    {
        var result = await SmokeCommand.RunAsync(["--url", "ftp://nowhere"]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Not an http(s) URL", result.StandardError);
    }

    /// <summary>One server process for the class's smoke runs.</summary>
    public sealed class Server : IAsyncLifetime
    {
        public ServerProcess Process { get; private set; } = null!;

        public async ValueTask InitializeAsync() => Process = await ServerProcess.StartAsync();

        public ValueTask DisposeAsync() => Process.DisposeAsync();
    }

    /// <summary>A minimal MCP server (2025-11-25, JSON responses) with wrong answers, on a free loopback port.</summary>
    private sealed class BrokenServer : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private BrokenServer(WebApplication app, string url)
        {
            _app = app;
            Url = url;
        }

        public string Url { get; }

        public static async Task<BrokenServer> StartAsync()
        {
            var url = $"http://127.0.0.1:{FreePort.Next()}";
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls(url);
            var app = builder.Build();
            app.MapPost("/mcp", async (HttpContext context) =>
            {
                var request = await System.Text.Json.Nodes.JsonNode.ParseAsync(context.Request.Body);
                var id = request?["id"]?.DeepClone();
                if (id is null)
                {
                    return Results.StatusCode(202);
                }
                var method = request!["method"]!.GetValue<string>();
                var result = method switch
                {
                    "initialize" => """{"protocolVersion":"2025-11-25","capabilities":{"tools":{},"resources":{},"prompts":{}},"serverInfo":{"name":"broken","version":"0"}}""",
                    "tools/call" when request["params"]!["name"]!.GetValue<string>() == "add" =>
                        """{"content":[{"type":"text","text":"6"}],"structuredContent":{"result":6}}""",
                    "resources/read" => """{"contents":[{"uri":"prynai://status","text":"down"}]}""",
                    "tools/list" => """{"tools":[{"name":"add","inputSchema":{"type":"object"},"outputSchema":{"type":"object","properties":{"result":{"type":"number"},"unit":{"type":"string"}},"required":["result","unit"]}}]}""",
                    "resources/list" => """{"resources":[]}""",
                    "resources/templates/list" => """{"resourceTemplates":[]}""",
                    "prompts/list" => """{"prompts":[]}""",
                    _ => null,
                };
                context.Response.Headers["Mcp-Session-Id"] = "broken";
                var body = result is null
                    ? $$$"""{"jsonrpc":"2.0","id":{{{id.ToJsonString()}}},"error":{"code":-32601,"message":"nope"}}"""
                    : $$$"""{"jsonrpc":"2.0","id":{{{id.ToJsonString()}}},"result":{{{result}}}}""";
                return Results.Text(body, "application/json", Encoding.UTF8, (int)HttpStatusCode.OK);
            });
            app.MapGet("/mcp", () => Results.StatusCode(405));
            await app.StartAsync();
            return new BrokenServer(app, url + "/mcp");
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}

/// <summary>The support-desk walk (<c>--domain</c>): each run on a server of its own (it opens a ticket, numbered per server).</summary>
public sealed class SmokeDomainTests
{
    [Theory]
    [InlineData(new string[0], "DOMAIN EXPERT: client-llm: MOCK:")]
    [InlineData(new[] { "--protocol", "2025-11-25", "--no-sampling" }, "DOMAIN EXPERT: facts: Facts for C9003")]
    public async Task SmokeDomain_WalksTheIncidentCustomer_EndToEnd(string[] options, string expertLine)
    {
        await using var server = await ServerProcess.StartAsync();
        var result = await SmokeCommand.RunAsync(["--url", server.McpEndpoint.ToString(), "--domain", .. options]);

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var line in new[] { "DOMAIN CUSTOMER: C9003", "DOMAIN SUBSCRIPTION: C9003-S1 home-internet", "incidents [INC-2026-041]", "DOMAIN KB: [KB-0002",
                     "DOMAIN TROUBLESHOOT: 10 steps; findings [ongoing incident INC-2026-041", "DOMAIN TICKET: C9003-T2", expertLine,
                     "DOMAIN ROLE TOOLS: update_subscription hidden, unlock_account hidden",
                     "SCHEMAS: 10 structured result(s) checked against their tools' output schemas, 0 broke them", "SMOKE: PASS" })
        {
            Assert.Contains(line, result.StandardOutput);
        }
        Assert.DoesNotContain("TOOLS:", result.StandardOutput.Replace("ROLE TOOLS:", ""));
    }

    [Fact]
    public async Task SmokeDomain_WithAnUnknownCustomer_Fails()
    {
        await using var server = await ServerProcess.StartAsync();
        var result = await SmokeCommand.RunAsync(["--url", server.McpEndpoint.ToString(), "--domain", "--customer", "C9998"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("FAILED customer: McpException: get_customer_detail failed: No customer has the id C9998", result.StandardError);
    }
}

/// <summary>The tasks walk (<c>--tasks</c>).</summary>
public sealed class SmokeTasksTests
{
    [Fact]
    public async Task SmokeTasks_FollowsATaskToItsResult_CancelsOne_AndAnswersOnesQuestion()
    {
        await using var server = await ServerProcess.StartAsync();
        var result = await SmokeCommand.RunAsync(["--url", server.McpEndpoint.ToString(), "--tasks"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var line in new[] { "TASK: ", "long_task (task): ", "TASK RESULT: completed", "\"status\":\"done\"", "TASK CANCEL: ",
                     "cancelled (Cancelled by the client; the work has stopped.)", "TASK INPUT: elicitation/create: Restart the device of subscription C9003-S1",
                     "TASK INPUT RESULT: completed: restart = restart declined by the user",
                     "SCHEMAS: 2 structured result(s) checked against their tools' output schemas, 0 broke them", "SMOKE: PASS (7 checks)" })
        {
            Assert.Contains(line, result.StandardOutput);
        }
    }

    [Fact]
    public async Task SmokeTasks_AgainstAServerWithoutTasks_Fails()
    {
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string?> { ["Tasks__Enabled"] = "false" });
        var result = await SmokeCommand.RunAsync(["--url", server.McpEndpoint.ToString(), "--tasks"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("FAILED tasks extension: server/discover should advertise", result.StandardError);
    }
}

using System.Text.Json.Nodes;
using Json.Schema;
using ModelContextProtocol.Client;
using Prynai.McpServer.Support;
using Prynai.McpServer.Support.Tools;
using Prynai.McpServer.Tools;
using Prynai.SmokeClient.Connection;
using Prynai.SmokeClient.Smoke;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Interop;

/// <summary>
/// Every tool's structured results against its own output schema, as validating clients check them: a JSON Schema
/// 2020-12 validator (JsonSchema.Net) over generated calls of every tool, the TypeScript SDK (its Client on a session,
/// its validator on 2026-07-28) over the same calls, and the MCP Inspector's portability report. Production-mode
/// servers with a token that carries every role, so the role-restricted tools are called too; each run gets a server
/// of its own, because the calls change the support desk (a locked account is unlocked once).
/// </summary>
public sealed class StructuredResultTests(StructuredResultTests.Server server, ITestOutputHelper output) : IClassFixture<StructuredResultTests.Server>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("2026-07-28", true)]
    [InlineData("2026-07-28", false)]
    [InlineData("2025-11-25", true)]
    [InlineData("2025-11-25", false)]
    public async Task EveryToolsStructuredResults_MatchItsOutputSchema(string protocol, bool sampling)
    {
        using var desk = server.InProcess();
        await using var client = await desk.ConnectAsync(protocol, sampling: sampling, token: server.Token);
        var tools = await client.ListToolsAsync(cancellationToken: Ct);
        var schemas = tools.Where(tool => tool.ProtocolTool.OutputSchema is not null)
            .ToDictionary(tool => tool.Name, tool => JsonSchema.FromText(tool.ProtocolTool.OutputSchema!.Value.GetRawText()));
        var calls = await GeneratedToolCalls.ForAsync(client, Ct);

        var violations = new List<string>();
        var results = new List<(ToolCall Call, JsonNode? Structured)>();
        foreach (var call in calls)
        {
            var result = await client.CallToolAsync(call.Tool, call.Arguments.ToDictionary(p => p.Key, p => (object?)p.Value), cancellationToken: Ct);
            if (result.IsError == true)
            {
                violations.Add($"{call}: valid arguments got a tool error: {string.Concat(result.Content.OfType<ModelContextProtocol.Protocol.TextContentBlock>().Select(b => b.Text))}");
                continue;
            }
            if (schemas.TryGetValue(call.Tool, out var schema))
            {
                violations.AddRange(OutputSchemaCheck.Problems(schema, result.StructuredContent).Select(problem => $"{call}: {problem}"));
            }
            results.Add((call, result.StructuredContent is { } structured ? JsonNode.Parse(structured.GetRawText()) : null));
        }
        output.WriteLine($"{calls.Count} calls of {tools.Count} tools ({schemas.Count} with an output schema) on {protocol}{(sampling ? " with sampling" : "")}");

        Assert.True(violations.Count == 0, string.Join("\n", violations));
        Assert.Equal(tools.Select(tool => tool.Name).Order(), calls.Select(call => call.Tool).Distinct().Order());
        // The calls reached the shapes where a member is absent.
        Assert.Contains(results, r => r.Call.Tool == "get_customer_detail" && r.Structured!["customer"]!["scenario"] is null);
        Assert.Contains(results, r => r.Call.Tool == "get_subscription_detail" && r.Structured!["incidents"]!.AsArray().Any(i => i!["resolvedAt"] is null));
        Assert.Contains(results, r => r.Call.Tool == "get_data_usage" && r.Structured!["subscriptions"]!.AsArray().Any(s => s!["peakDay"] is null));
        Assert.Contains(results, r => r.Call.Tool == "trouble_shoot_device" && r.Structured!["symptom"] is null);
        Assert.Contains(results, r => r.Call.Tool == "ask_product_expert" && r.Structured!["facts"]!["customer"]!["scenario"] is null);
        Assert.Contains(results, r => r.Call.Tool == "ask_billing_expert" && (r.Structured!["model"] is null) != sampling);
    }

    [Theory]
    [InlineData("2025-11-25")]
    [InlineData("2026-07-28")]
    public async Task TypeScriptSdk_AcceptsEveryStructuredResult(string protocol)
    {
        await NodeTooling.EnsureInstalledAsync();
        using var directory = new TempDirectory();
        var cases = Path.Combine(directory.Path, "calls.json");
        await using var process = await server.StartProcessAsync();
        await using (var client = await McpConnection.ConnectAsync(new(process.McpEndpoint, protocol, server.Token, Sampling: true), null, Ct))
        {
            var calls = await GeneratedToolCalls.ForAsync(client, Ct);
            await File.WriteAllTextAsync(cases, new JsonArray([.. calls.Select(c => new JsonObject { ["tool"] = c.Tool, ["arguments"] = c.Arguments.DeepClone() })]).ToJsonString(), Ct);
        }

        var run = await CommandRunner.RunAsync(RepositoryPaths.Node22,
            [Path.Combine(RepositoryPaths.Tests, "ts-client", "call-every-tool.mjs"), "--url", process.McpEndpoint.ToString(),
             "--token", server.Token, "--cases", cases, "--protocol", protocol], TimeSpan.FromMinutes(2));
        output.WriteLine(run.StandardOutput);

        var report = JsonNode.Parse(run.StandardOutput)!;
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(protocol, report["protocolVersion"]!.GetValue<string>());
        Assert.Equal(JsonNode.Parse(await File.ReadAllTextAsync(cases, Ct))!.AsArray().Count, report["calls"]!.GetValue<int>());
        Assert.Empty(report["errors"]!.AsArray());
    }

    [Fact]
    public async Task InspectorStrict_FindsNoPortabilityProblem_InAnyToolSchema()
    {
        await NodeTooling.EnsureInstalledAsync();
        await using var process = await server.StartProcessAsync();
        var run = await CommandRunner.RunAsync(RepositoryPaths.Node22,
            [RepositoryPaths.InspectorCli, "--cli", process.McpEndpoint.ToString(), "--method", "tools/list", "--strict",
             "--header", $"Authorization: Bearer {server.Token}"], TimeSpan.FromMinutes(2));

        Assert.True(run.ExitCode == 0, run.ToString());
        var listed = JsonNode.Parse(run.StandardOutput)!["tools"]!.AsArray().Select(tool => tool!["name"]!.GetValue<string>()).ToList();
        Assert.Contains("update_subscription", listed);
        Assert.Contains("reset_counter", listed);
        Assert.DoesNotContain("Warning", run.StandardError, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Error", run.StandardError, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A loopback issuer, a token with every role, and production-mode servers that trust it.</summary>
    public sealed class Server : IAsyncLifetime
    {
        private TestOidcIssuer _issuer = null!;

        public string Token { get; private set; } = "";

        private Dictionary<string, string?> Settings => new()
        {
            ["Auth:Authority"] = _issuer.HttpAuthority,
            ["Auth:RequireHttpsMetadata"] = "false",
            ["Auth:Audiences:0"] = TestOidcIssuer.Audience,
            ["Support:Today"] = "2026-11-01",
            ["Support:TroubleshootStepDelay"] = "00:00:00.001",
            ["Security:RateLimit:Enabled"] = "false",
        };

        public async ValueTask InitializeAsync()
        {
            _issuer = await TestOidcIssuer.StartAsync();
            Token = _issuer.Mint(roles: [PrivilegedTools.BillingRole, PrivilegedTools.SecurityRole, CounterAdminTools.AdminRole], subject: "schema-agent");
        }

        public PrynaiServerFactory InProcess() => new(Settings, environment: "Production");

        public Task<ServerProcess> StartProcessAsync() =>
            ServerProcess.StartAsync(Settings.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value), aspnetEnvironment: "Production");

        public async ValueTask DisposeAsync() => await _issuer.DisposeAsync();
    }
}

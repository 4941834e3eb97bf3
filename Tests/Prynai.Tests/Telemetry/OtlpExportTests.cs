using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Prynai.Tests.Infrastructure;
using Prynai.Tests.Security;

namespace Prynai.Tests.Telemetry;

/// <summary>The server process exporting to a loopback OTLP/HTTP receiver, and what it never writes to a log.</summary>
public sealed class OtlpExportTests(IssuerFixture fixture) : IClassFixture<IssuerFixture>
{
    [Fact]
    public async Task WithOtlpEndpointSet_TracesMetricsAndLogsArePosted_WithTheToolSpan()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_EXPORTER_OTLP_HEADERS"] = "x-otlp-key=test-key",
            ["OTEL_SERVICE_NAME"] = "prynai-e2e",
            ["OTEL_RESOURCE_ATTRIBUTES"] = "team=mcp-platform",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
        });
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        await StatelessCalls.CallToolAsync(http, "add", new JsonObject { ["a"] = 2, ["b"] = 3 });

        await Eventually.TrueAsync(() => receiver.Received("traces").Contains("tools/call add"), TimeSpan.FromSeconds(20),
            "the tool's span should reach the OTLP receiver");
        await Eventually.TrueAsync(() => receiver.Received("metrics").Contains("mcp.server.operation.duration"), TimeSpan.FromSeconds(20),
            "the MCP duration histogram should reach the OTLP receiver");
        await Eventually.TrueAsync(() => receiver.Received("logs").Length > 0, TimeSpan.FromSeconds(20), "logs should reach the OTLP receiver");

        var traces = receiver.Received("traces");
        Assert.Contains("prynai-e2e", traces);
        Assert.Contains("team", traces);
        Assert.Contains("mcp-platform", traces);
        Assert.All(receiver.Exports, export => Assert.Equal("test-key", export.Headers["x-otlp-key"].ToString()));
    }

    [Fact]
    public async Task WithoutOtlpEndpoint_NothingIsExported()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string?> { ["OTEL_METRIC_EXPORT_INTERVAL"] = "200" });
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        await StatelessCalls.CallToolAsync(http, "add", new JsonObject { ["a"] = 2, ["b"] = 3 });
        await Task.Delay(1000, TestContext.Current.CancellationToken);

        Assert.Empty(receiver.Exports);
    }

    [Fact]
    public async Task BearerTokensConnectionStringsAndToolArguments_NeverReachALogLine()
    {
        const string RedisPassword = "Sup3r-S3cret-Redis-P4ss";
        const string Argument = "ARGUMENT-SENTINEL-7f3a";
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string?>
        {
            ["Logging__LogLevel__Default"] = "Trace",
            ["Logging__Console__FormatterName"] = "json",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
            ["ConnectionStrings__cache"] = $"127.0.0.1:{FreePort.Next()},password={RedisPassword}",
            ["Auth__Authority"] = fixture.Issuer.HttpAuthority,
            ["Auth__RequireHttpsMetadata"] = "false",
            ["Auth__Audiences__0"] = TestOidcIssuer.Audience,
        }, aspnetEnvironment: "Production");
        var token = fixture.Issuer.Mint();
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        foreach (var (tool, arguments) in new[] { ("echo", new JsonObject { ["text"] = Argument }), ("bump_counter", new JsonObject()) })
        {
            var request = McpHttp.StatelessRequest("tools/call", new JsonObject { ["name"] = tool, ["arguments"] = arguments }, name: tool);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
            await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        }
        var invalid = McpHttp.StatelessRequest("tools/list");
        invalid.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token + "tampered");
        (await http.SendAsync(invalid, TestContext.Current.CancellationToken)).Dispose();
        // Wait for what the three requests log, on the console and at the receiver, before looking for what must not be there.
        await Eventually.TrueAsync(() => server.Output.Contains("tools/call", StringComparison.Ordinal) && receiver.Received("logs").Contains("tools/call", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20), "the tool calls' log lines should reach the console and the receiver");

        var logs = server.Output + receiver.Received("logs");
        Assert.Contains("tools/call", logs);
        var signature = token.Split('.')[2];
        Assert.DoesNotContain(signature, logs);
        Assert.DoesNotContain(token.Split('.')[1], logs);
        Assert.DoesNotContain(RedisPassword, logs);
        Assert.DoesNotContain(Argument, logs);
    }

    [Fact]
    public async Task ToolArguments_AreLoggedOnlyWhenOptedIn()
    {
        const string Argument = "ARGUMENT-SENTINEL-opt-in";
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string?>
        {
            ["Logging__LogLevel__Default"] = "Trace",
            ["Telemetry__LogToolArguments"] = "true",
        });
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        await StatelessCalls.CallToolAsync(http, "echo", new JsonObject { ["text"] = Argument });
        await Eventually.TrueAsync(() => server.Output.Contains(Argument), TimeSpan.FromSeconds(10), "opted-in logs should show the arguments");
    }

    [Fact]
    public async Task InAContainer_ConsoleLogsAreJson_CarryingTraceAndSpanIds()
    {
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string?>
        {
            ["DOTNET_RUNNING_IN_CONTAINER"] = "true",
            ["Logging__Console__FormatterName"] = null,
            ["Logging__LogLevel__Prynai"] = "Debug",
        });
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        await McpSessions.InitializeAsync(http);

        await Eventually.TrueAsync(() => server.Output.Contains("Handshake session started"), TimeSpan.FromSeconds(10));
        var line = server.Output.Split('\n').First(l => l.Contains("Handshake session started"));
        var entry = JsonNode.Parse(line)!;
        Assert.Equal("Prynai.McpServer.Transport.Sessions.ResidentSessions", entry["Category"]!.GetValue<string>());
        var scopes = entry["Scopes"]!.AsArray().Select(s => s!.ToJsonString()).ToList();
        Assert.Contains(scopes, s => s.Contains("\"TraceId\"") && s.Contains("\"SpanId\""));
    }
}

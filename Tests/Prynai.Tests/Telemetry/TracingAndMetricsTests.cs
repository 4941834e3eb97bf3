using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using Prynai.Tests.Infrastructure;
using Prynai.Tests.Security;

namespace Prynai.Tests.Telemetry;

/// <summary>
/// Spans and metrics of MCP operations, collected in process by exporters the test adds to the server. An
/// in-process listener hears every in-process server, so these run alone (<see cref="InProcessTelemetry"/>).
/// </summary>
[Collection(nameof(InProcessTelemetry))]
public sealed class TracingAndMetricsTests(IssuerFixture fixture) : IClassFixture<IssuerFixture>
{
    private const string ClientTraceId = "0af7651916cd43dd8448eb211c80319c";
    private const string ClientSpanId = "b7ad6b7169203331";

    [Fact]
    public async Task ToolCall_IsOneServerSpan_WithTheMcpAttributes_ChildOfTheHttpRequest()
    {
        var telemetry = new CollectedTelemetry();
        using var server = telemetry.Server();
        await CallAsync(server.CreateClient(), "add", new JsonObject { ["a"] = 1, ["b"] = 2 }, id: 41);

        var span = await SpanAsync(telemetry, "tools/call add");
        Assert.Equal(ActivityKind.Server, span.Kind);
        Assert.Equal("tools/call", span.GetTagItem("mcp.method.name"));
        Assert.Equal("add", span.GetTagItem("gen_ai.tool.name"));
        Assert.Equal("41", span.GetTagItem("jsonrpc.request.id")?.ToString());
        Assert.Equal("2026-07-28", span.GetTagItem("mcp.protocol.version"));
        Assert.Null(span.GetTagItem("mcp.session.id"));
        Assert.Null(span.GetTagItem("error.type"));

        // The request span ends after the MCP span inside it: wait for its export rather than look once.
        await Eventually.TrueAsync(() => telemetry.Spans.Any(s => s.Source.Name == "Microsoft.AspNetCore" && s.TraceId == span.TraceId),
            because: "the POST /mcp request span should be exported");
        var http = telemetry.Spans.Single(s => s.Source.Name == "Microsoft.AspNetCore" && s.TraceId == span.TraceId);
        Assert.Equal(http.SpanId, span.ParentSpanId);
        Assert.Equal("POST /mcp", http.DisplayName);
        Assert.Equal(200, http.GetTagItem("http.response.status_code"));
    }

    [Fact]
    public async Task ClientTraceContextInMeta_BecomesTheParent()
    {
        var telemetry = new CollectedTelemetry();
        using var server = telemetry.Server();
        var meta = McpHttp.Meta();
        meta["traceparent"] = $"00-{ClientTraceId}-{ClientSpanId}-01";
        await CallAsync(server.CreateClient(), "add", new JsonObject { ["a"] = 1, ["b"] = 2 }, meta: meta);

        var span = await SpanAsync(telemetry, "tools/call add");
        Assert.Equal(ClientTraceId, span.TraceId.ToString());
        Assert.Equal(ClientSpanId, span.ParentSpanId.ToString());
    }

    [Fact]
    public async Task SessionSpans_CarryTheClientsSessionId()
    {
        var telemetry = new CollectedTelemetry();
        using var server = telemetry.Server();
        var http = server.CreateClient();
        var sessionId = await McpSessions.InitializeAsync(http);
        using var response = await http.SendAsync(McpHttp.SessionRequest(sessionId, "tools/call",
            new JsonObject { ["name"] = "add", ["arguments"] = new JsonObject { ["a"] = 1, ["b"] = 2 } }, id: 9), Ct);
        await response.Content.ReadAsStringAsync(Ct);

        var span = await SpanAsync(telemetry, "tools/call add");
        Assert.Equal(sessionId, span.GetTagItem("mcp.session.id"));
        Assert.Equal("2025-11-25", span.GetTagItem("mcp.protocol.version"));
    }

    [Theory]
    [InlineData("divide", "tool_error")]
    [InlineData("bump_counter", null)]
    public async Task FailingTool_SetsErrorType(string tool, string? errorType)
    {
        var telemetry = new CollectedTelemetry();
        using var server = telemetry.Server();
        await CallAsync(server.CreateClient(), tool, tool == "divide" ? new JsonObject { ["a"] = 1, ["b"] = 0 } : new JsonObject());

        var span = await SpanAsync(telemetry, $"tools/call {tool}");
        Assert.Equal(errorType, span.GetTagItem("error.type"));
        Assert.Equal(errorType is null ? ActivityStatusCode.Unset : ActivityStatusCode.Error, span.Status);
    }

    [Fact]
    public async Task UnknownMethod_SetsErrorTypeToTheJsonRpcCode()
    {
        var telemetry = new CollectedTelemetry();
        using var server = telemetry.Server();
        using var response = await server.CreateClient().SendAsync(McpHttp.StatelessRequest("tools/fly"), Ct);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);

        var span = await SpanAsync(telemetry, "tools/fly");
        Assert.Equal("-32601", span.GetTagItem("error.type")?.ToString());
    }

    [Fact]
    public async Task StoreOperations_AreChildSpansOfTheMcpSpan()
    {
        var telemetry = new CollectedTelemetry();
        using var server = telemetry.Server();
        await CallAsync(server.CreateClient(), "bump_counter", new JsonObject());

        var mcp = await SpanAsync(telemetry, "tools/call bump_counter");
        var store = telemetry.Spans.Single(s => s.DisplayName == "increment_counter sqlite");
        Assert.Equal(mcp.SpanId, store.ParentSpanId);
        Assert.Equal(ActivityKind.Client, store.Kind);
        Assert.Equal("sqlite", store.GetTagItem("db.system.name"));
    }

    [Fact]
    public async Task HealthCalls_ProduceNoSpans()
    {
        var telemetry = new CollectedTelemetry();
        using var server = telemetry.Server();
        var http = server.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            (await http.GetAsync("/healthz", Ct)).Dispose();
            (await http.GetAsync("/livez", Ct)).Dispose();
        }
        await CallAsync(http, "add", new JsonObject { ["a"] = 1, ["b"] = 1 });
        // The request span of the POST ends after its response reached the client (and after the MCP span inside it):
        // wait for it to be exported. The health calls finished before that request began.
        await Eventually.TrueAsync(() => telemetry.Spans.Any(s => s.Source.Name == "Microsoft.AspNetCore" && (s.GetTagItem("url.path") as string) == "/mcp"),
            because: "the POST /mcp request span should be exported");

        Assert.DoesNotContain(telemetry.Spans, s => (s.GetTagItem("url.path") as string) is "/healthz" or "/livez");
        Assert.Single(telemetry.Spans, s => s.Source.Name == "Microsoft.AspNetCore");
    }

    [Fact]
    public async Task McpDurationHistogram_AndOurCounters_Record()
    {
        var telemetry = new CollectedTelemetry();
        using var server = telemetry.Server(new Dictionary<string, string?>
        {
            ["Security:RateLimit:Enabled"] = "true",
            ["Security:RateLimit:RequestsPerSecond"] = "1",
            ["Security:RateLimit:Burst"] = "5",
        });
        var http = server.CreateClient();
        await CallAsync(http, "add", new JsonObject { ["a"] = 1, ["b"] = 1 });
        await CallAsync(http, "divide", new JsonObject { ["a"] = 1, ["b"] = 0 });
        await CallAsync(http, "bump_counter", new JsonObject());
        var sessionId = await McpSessions.InitializeAsync(http);
        using (var limited = await http.SendAsync(McpHttp.StatelessRequest("tools/list"), Ct))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        }

        CollectedTelemetry.FlushMetrics(server);

        var toolCallDurations = telemetry.PointsOf("mcp.server.operation.duration").Where(p => Equals(p.Tags.GetValueOrDefault("mcp.method.name"), "tools/call"));
        Assert.Equal(3, toolCallDurations.Sum(p => p.Value));
        Assert.Contains(telemetry.PointsOf("prynai.tool.calls"), p => Equals(p.Tags["gen_ai.tool.name"], "add") && Equals(p.Tags["outcome"], "ok") && p.Value == 1);
        Assert.Contains(telemetry.PointsOf("prynai.tool.calls"), p => Equals(p.Tags["gen_ai.tool.name"], "divide") && Equals(p.Tags["outcome"], "tool_error") && p.Value == 1);
        Assert.Contains(telemetry.PointsOf("prynai.store.operation.duration"), p => Equals(p.Tags["operation"], "increment_counter") && Equals(p.Tags["store"], "sqlite"));
        Assert.Contains(telemetry.PointsOf("prynai.sessions.live"), p => p.Value == 1);
        Assert.Contains(telemetry.PointsOf("prynai.ratelimit.rejections"), p => p.Value >= 1);
        Assert.NotEmpty(sessionId);
    }

    [Fact]
    public async Task AuthFailures_AreCountedByReason()
    {
        var telemetry = new CollectedTelemetry();
        using var server = new PrynaiServerFactory(new Dictionary<string, string?>
        {
            ["Auth:Authority"] = fixture.Issuer.HttpAuthority,
            ["Auth:RequireHttpsMetadata"] = "false",
            ["Auth:Audiences:0"] = TestOidcIssuer.Audience,
        }, environment: "Production", configureServices: services => services.AddOpenTelemetry().WithMetrics(metrics =>
            metrics.AddReader(new BaseExportingMetricReader(new CollectedTelemetry.MetricCollector(telemetry)))));
        var http = server.CreateClient();
        (await http.SendAsync(McpHttp.StatelessRequest("tools/list"), Ct)).Dispose();
        var expired = McpHttp.StatelessRequest("tools/list");
        expired.Headers.Authorization = new AuthenticationHeaderValue("Bearer", fixture.Issuer.Mint(notBefore: DateTime.UtcNow.AddHours(-2), expires: DateTime.UtcNow.AddHours(-1)));
        (await http.SendAsync(expired, Ct)).Dispose();

        CollectedTelemetry.FlushMetrics(server);
        Assert.Contains(telemetry.PointsOf("prynai.auth.failures"), p => Equals(p.Tags["reason"], "missing") && p.Value == 1);
        Assert.Contains(telemetry.PointsOf("prynai.auth.failures"), p => Equals(p.Tags["reason"], "expired") && p.Value == 1);
    }

    [Fact]
    public async Task WithoutAnExporter_NothingListens_WhileAHostWithOneHearsEverySource()
    {
        string[] sources = ["Experimental.ModelContextProtocol", "Microsoft.AspNetCore", "Prynai.McpServer", "System.Net.Http"];
        using (var quiet = new PrynaiServerFactory())
        {
            await CallAsync(quiet.CreateClient(), "add", new JsonObject { ["a"] = 1, ["b"] = 1 });
            Assert.All(sources, name => Assert.False(Listened(name), $"{name} has a listener without any exporter"));
            Assert.False(Measured("Prynai.McpServer"));
            Assert.False(Measured("Microsoft.AspNetCore.Hosting"));
        }

        var telemetry = new CollectedTelemetry();
        using var exporting = telemetry.Server();
        await CallAsync(exporting.CreateClient(), "add", new JsonObject { ["a"] = 1, ["b"] = 1 });
        Assert.All(sources, name => Assert.True(Listened(name), $"{name} is not traced by a host that exports"));
        Assert.True(Measured("Prynai.McpServer"));
        Assert.True(Measured("Microsoft.AspNetCore.Hosting"));

        static bool Listened(string source)
        {
            using var probe = new ActivitySource(source);
            return probe.HasListeners();
        }

        static bool Measured(string meter)
        {
            using var probe = new System.Diagnostics.Metrics.Meter(meter);
            return probe.CreateCounter<long>("prynai.test.probe").Enabled;
        }
    }

    private static async Task<Activity> SpanAsync(CollectedTelemetry telemetry, string name)
    {
        await Eventually.TrueAsync(() => telemetry.Spans.Any(s => s.DisplayName == name), because: $"a span named '{name}' should be exported");
        return telemetry.Spans.Single(s => s.DisplayName == name);
    }

    private static async Task CallAsync(HttpClient http, string tool, JsonObject arguments, object? id = null, JsonObject? meta = null)
    {
        var parameters = new JsonObject { ["name"] = tool, ["arguments"] = arguments };
        if (meta is not null)
        {
            parameters["_meta"] = meta;
        }
        using var response = await http.SendAsync(McpHttp.StatelessRequest("tools/call", parameters, name: tool, id: id ?? 1), Ct);
        await response.Content.ReadAsStringAsync(Ct);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}

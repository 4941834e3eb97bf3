using System.Text.Json.Nodes;
using Prynai.McpServer.Transport;
using Prynai.McpServer.Transport.Sessions;
using Prynai.McpServer.Transport.Stateless;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Transport;

/// <summary>
/// 2026-07-28 requests are served by reused SDK servers (StatelessServerPool): nothing one request declares —
/// its log level, its client capabilities — may reach the next request the same server serves.
/// </summary>
public sealed class StatelessServerPoolTests : IDisposable
{
    private readonly PrynaiServerFactory _server = new();

    [Fact]
    public async Task LogLevelAskedForByOneRequest_DoesNotApplyToTheNext()
    {
        var http = _server.CreateClient();
        for (var round = 0; round < 3; round++)
        {
            var meta = McpHttp.Meta();
            meta["io.modelcontextprotocol/logLevel"] = "info";
            var withLogs = await McpHttp.MessagesAsync(await http.SendAsync(Echo(meta), Ct));
            var withoutLogs = await McpHttp.MessagesAsync(await http.SendAsync(Echo(McpHttp.Meta()), Ct));

            Assert.Contains(withLogs, message => message["method"]?.GetValue<string>() == "notifications/message");
            Assert.DoesNotContain(withoutLogs, message => message["method"]?.GetValue<string>() == "notifications/message");
        }
    }

    [Fact]
    public async Task ClientCapabilityOfOneRequest_IsNotAssumedForTheNext()
    {
        var http = _server.CreateClient();
        for (var round = 0; round < 3; round++)
        {
            var sampling = await McpHttp.ResponseAsync(await http.SendAsync(Summarize(new JsonObject { ["sampling"] = new JsonObject() }), Ct));
            var plain = await McpHttp.ResponseAsync(await http.SendAsync(Summarize(new JsonObject()), Ct));

            Assert.NotEqual("complete", sampling["result"]!["resultType"]!.GetValue<string>());
            Assert.Equal("sampling unavailable", plain["result"]!["structuredContent"]!["summary"]!.GetValue<string>());
        }
    }

    [Fact]
    public void PooledServers_ShareOneSetOfOptions_WithoutTheSessionReplyRouting()
    {
        var options = _server.Services.GetRequiredService<StatelessServerOptions>();

        Assert.Same(options.Pooled, options.Pooled);
        Assert.True(options.Pooled.ScopeRequests);
        Assert.DoesNotContain(options.Pooled.Filters.Message.OutgoingFilters,
            filter => filter.Method.Name == nameof(SessionReplyRouter.TrackOutgoing));
    }

    private static HttpRequestMessage Echo(JsonObject meta) => McpHttp.StatelessRequest("tools/call",
        new JsonObject { ["name"] = "echo", ["arguments"] = new JsonObject { ["text"] = "pool" }, ["_meta"] = meta }, name: "echo");

    private static HttpRequestMessage Summarize(JsonObject capabilities) => McpHttp.StatelessRequest("tools/call",
        new JsonObject
        {
            ["name"] = "summarize_via_client_llm",
            ["arguments"] = new JsonObject { ["text"] = "Prynai pools its servers." },
            ["_meta"] = McpHttp.Meta(capabilities: capabilities),
        }, name: "summarize_via_client_llm");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _server.Dispose();
}

using System.Net;
using System.Text.Json.Nodes;
using Prynai.McpServer.Transport;
using Prynai.McpServer.Transport.Sessions;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Transport;

/// <summary>
/// Idle handshake sessions leave memory (Mcp:SessionParkAfter) and come back from their record on the next request,
/// with everything the client set up: it cannot tell the difference.
/// </summary>
public sealed class SessionParkingTests : IDisposable
{
    private readonly PrynaiServerFactory _server = new(new Dictionary<string, string?> { ["Mcp:SessionParkAfter"] = "00:00:01" });

    private ResidentSessions Table => _server.Services.GetRequiredService<ResidentSessions>();

    [Fact]
    public async Task IdleSession_LeavesMemory_AndItsNextRequestBringsItBack()
    {
        var http = _server.CreateClient();
        var sessionId = await OpenSessionAsync(http);
        Assert.True(Table.TryGet(sessionId, out _));

        await Eventually.TrueAsync(() => !Table.TryGet(sessionId, out _), TimeSpan.FromSeconds(10), "the idle session should park");
        var answer = await CallAsync(http, sessionId, "add", new JsonObject { ["a"] = 2, ["b"] = 3 });

        Assert.Equal(5, answer[^1]["result"]!["structuredContent"]!["result"]!.GetValue<double>());
        Assert.True(Table.TryGet(sessionId, out _), "the session should be back in memory");
    }

    [Fact]
    public async Task LogLevelAClientChose_SurvivesParking()
    {
        var http = _server.CreateClient();
        var sessionId = await OpenSessionAsync(http);
        var setLevel = await McpHttp.ResponseAsync(await http.SendAsync(McpHttp.SessionRequest(sessionId, "logging/setLevel", new JsonObject { ["level"] = "warning" }, id: 2), Ct));
        Assert.NotNull(setLevel["result"]);
        Assert.DoesNotContain(await CallAsync(http, sessionId, "echo", new JsonObject { ["text"] = "quiet" }), IsLog);

        await Eventually.TrueAsync(() => !Table.TryGet(sessionId, out _), TimeSpan.FromSeconds(10), "the idle session should park");
        var echo = await CallAsync(http, sessionId, "echo", new JsonObject { ["text"] = "quiet" });
        var divide = await CallAsync(http, sessionId, "divide", new JsonObject { ["a"] = 1, ["b"] = 0 });

        // echo logs at info (below the chosen level), divide by zero at warning.
        Assert.DoesNotContain(echo, IsLog);
        Assert.Contains(divide, IsLog);
    }

    [Fact]
    public async Task RequestsRacingThePark_AllSucceed()
    {
        var http = _server.CreateClient();
        var sessionId = await OpenSessionAsync(http);

        for (var i = 0; i < 12; i++)
        {
            // Around the park threshold, so some requests land while the copy in memory is being dropped.
            await Task.Delay(TimeSpan.FromMilliseconds(900 + 40 * (i % 5)), Ct);
            using var response = await http.SendAsync(McpHttp.SessionRequest(sessionId, "tools/call",
                new JsonObject { ["name"] = "add", ["arguments"] = new JsonObject { ["a"] = i, ["b"] = 1 } }, id: i + 10), Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var answer = await McpHttp.ResponseAsync(response);
            Assert.Equal(i + 1, answer["result"]!["structuredContent"]!["result"]!.GetValue<double>());
        }
    }

    [Fact]
    public async Task SessionWithAnOpenStream_StaysInMemory()
    {
        var http = _server.CreateClient();
        var sessionId = await OpenSessionAsync(http);
        var get = new HttpRequestMessage(HttpMethod.Get, "/mcp");
        get.Headers.Add("Accept", "text/event-stream");
        get.Headers.Add("Mcp-Session-Id", sessionId);
        get.Headers.Add("MCP-Protocol-Version", "2025-11-25");
        await using var stream = await SseStream.OpenAsync(http, get);

        await Task.Delay(TimeSpan.FromSeconds(2.5), Ct);

        Assert.True(Table.TryGet(sessionId, out _), "a session streaming to its client must not park");
    }

    private static async Task<string> OpenSessionAsync(HttpClient http)
    {
        using var initialize = await http.SendAsync(McpHttp.Initialize(), Ct);
        var sessionId = initialize.Headers.GetValues("Mcp-Session-Id").Single();
        (await http.SendAsync(McpHttp.SessionRequest(sessionId, "notifications/initialized"), Ct)).Dispose();
        return sessionId;
    }

    private static async Task<List<JsonObject>> CallAsync(HttpClient http, string sessionId, string tool, JsonObject arguments)
    {
        using var response = await http.SendAsync(McpHttp.SessionRequest(sessionId, "tools/call", new JsonObject { ["name"] = tool, ["arguments"] = arguments }, id: 7), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await McpHttp.MessagesAsync(response);
    }

    private static bool IsLog(JsonObject message) => message["method"]?.GetValue<string>() == "notifications/message";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _server.Dispose();
}

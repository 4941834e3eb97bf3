using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Transport;

/// <summary>
/// A request the client gives up on ends at once and quietly: after <c>notifications/cancelled</c> its event stream
/// closes, a session deleted while requests run ends them without an error or a reset connection, and a 2026-07-28
/// request the client abandons stops its tool. Nothing of it is logged at warning or above.
/// </summary>
public sealed class CancellationTests
{
    private static readonly TimeSpan Promptly = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task CancelledSessionRequest_ItsStreamEndsWithinASecond_WithoutAnAnswer()
    {
        await using var server = SlowToolServer();
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var session = await McpSessions.InitializeAsync(http);
        await using var call = await StartLongTaskAsync(http, session, id: 7);

        using var cancel = await http.SendAsync(McpHttp.SessionRequest(session, "notifications/cancelled",
            new JsonObject { ["requestId"] = 7, ["reason"] = "the user gave up" }), Ct);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        var clock = Stopwatch.StartNew();
        Assert.True(await call.EndsWithinAsync(Promptly), "the cancelled request's stream should end");
        Assert.True(clock.Elapsed < Promptly, $"ended after {clock.Elapsed}");

        // The session goes on: another call on it is answered.
        using var next = await http.SendAsync(McpHttp.SessionRequest(session, "tools/call",
            new JsonObject { ["name"] = "add", ["arguments"] = new JsonObject { ["a"] = 1, ["b"] = 2 } }, id: 8), Ct);
        Assert.Equal(3, (await McpHttp.ResponseAsync(next))["result"]!["structuredContent"]!["result"]!.GetValue<double>());
        AssertQuiet(server.Logs);
    }

    [Fact]
    public async Task SessionDeletedWhileRequestsRun_EndsThemCleanly()
    {
        await using var server = SlowToolServer();
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var session = await McpSessions.InitializeAsync(http);
        await using var first = await StartLongTaskAsync(http, session, id: 11);
        await using var second = await StartLongTaskAsync(http, session, id: 12);

        using var delete = await http.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/mcp")
        {
            Headers = { { "Mcp-Session-Id", session }, { "MCP-Protocol-Version", "2025-11-25" } },
        }, Ct);
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);

        // Ended, not reset: reading to the end throws if the server aborted the connection.
        Assert.True(await first.EndsWithinAsync(Promptly), "an in-flight request of a deleted session should end");
        Assert.True(await second.EndsWithinAsync(Promptly), "every in-flight request of a deleted session should end");
        AssertQuiet(server.Logs);
    }

    [Fact]
    public async Task AbandonedStatelessRequest_StopsItsTool_Quietly()
    {
        await using var server = SlowToolServer();
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var request = McpHttp.StatelessRequest("tools/call",
            new JsonObject { ["name"] = "long_task", ["arguments"] = new JsonObject { ["steps"] = 50 }, ["_meta"] = WithProgress(McpHttp.Meta()) }, name: "long_task");
        await using (var call = await SseStream.OpenAsync(http, request))
        {
            Assert.Equal("notifications/progress", (await call.NextAsync())["method"]!.GetValue<string>());
        }
        await Task.Delay(500, Ct); // the tool notices the closed request and unwinds
        AssertQuiet(server.Logs);
    }

    private static KestrelServer SlowToolServer() =>
        KestrelServer.Start(settings: new Dictionary<string, string?> { ["Tools:StepDelay"] = "00:00:00.200" });

    /// <summary>A long_task (10 s) on the session whose first progress notification has arrived: it is running.</summary>
    private static async Task<SseStream> StartLongTaskAsync(HttpClient http, string session, int id)
    {
        var stream = await SseStream.OpenAsync(http, McpHttp.SessionRequest(session, "tools/call", new JsonObject
        {
            ["name"] = "long_task",
            ["arguments"] = new JsonObject { ["steps"] = 50 },
            ["_meta"] = new JsonObject { ["progressToken"] = $"p{id}" },
        }, id: id));
        Assert.Equal("notifications/progress", (await stream.NextAsync("notifications/progress"))["method"]!.GetValue<string>());
        return stream;
    }

    private static JsonObject WithProgress(JsonObject meta)
    {
        meta["progressToken"] = "p";
        return meta;
    }

    private static void AssertQuiet(CapturedLogs logs) =>
        Assert.Empty(logs.Entries.Where(entry => entry.Level >= LogLevel.Warning).Select(entry => entry.ToString()));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}

using System.Net;
using System.Text.Json.Nodes;

namespace Prynai.Tests.Infrastructure;

/// <summary>Steps of a 2025-11-25 session over raw HTTP (<see cref="McpHttp"/>), each asserted to succeed.</summary>
public static class McpSessions
{
    /// <summary>Initializes a session and sends notifications/initialized; returns its id.</summary>
    public static async Task<string> InitializeAsync(HttpClient client)
    {
        using var response = await client.SendAsync(McpHttp.Initialize(), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sessionId = response.Headers.GetValues("Mcp-Session-Id").Single();
        var result = await McpHttp.ResponseAsync(response);
        Assert.Equal("2025-11-25", result["result"]!["protocolVersion"]!.GetValue<string>());

        using var initialized = await client.SendAsync(McpHttp.SessionRequest(sessionId, "notifications/initialized"), Ct);
        Assert.Equal(HttpStatusCode.Accepted, initialized.StatusCode);
        return sessionId;
    }

    /// <summary>A bodyless request on the session's endpoint: GET opens its stream, DELETE ends it.</summary>
    public static HttpRequestMessage Request(HttpMethod method, string sessionId) => new(method, "/mcp")
    {
        Headers = { { "Mcp-Session-Id", sessionId }, { "Accept", "text/event-stream" }, { "MCP-Protocol-Version", "2025-11-25" } },
    };

    /// <summary>Opens the session's stream (GET), resuming after <paramref name="lastEventId"/> when given.</summary>
    public static async Task<SseStream> OpenStreamAsync(HttpClient http, string sessionId, string? lastEventId = null)
    {
        var request = Request(HttpMethod.Get, sessionId);
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }
        return await SseStream.OpenAsync(http, request);
    }

    public static async Task SubscribeToCounterAsync(HttpClient http, string sessionId)
    {
        using var subscribe = await http.SendAsync(McpHttp.SessionRequest(sessionId, "resources/subscribe", new JsonObject { ["uri"] = "prynai://counter" }, id: 2), Ct);
        Assert.Equal(HttpStatusCode.OK, subscribe.StatusCode);
    }

    /// <summary>Calls bump_counter in the session, then waits for the change to settle.</summary>
    public static async Task BumpCounterAsync(HttpClient http, string sessionId)
    {
        using var bump = await http.SendAsync(McpHttp.SessionRequest(sessionId, "tools/call",
            new JsonObject { ["name"] = "bump_counter", ["arguments"] = new JsonObject() }, id: 3), Ct);
        Assert.Equal(HttpStatusCode.OK, bump.StatusCode);
        await bump.Content.ReadAsStringAsync(Ct);
        // The change reaches the session through the store's change feed: let it land before the next step.
        await Task.Delay(150, Ct);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}

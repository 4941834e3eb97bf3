using System.Net;
using System.Text.Json.Nodes;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Transport;

/// <summary>Sessions of the initialize-handshake revisions: creation, use, end, expiry, limits, restore.</summary>
public sealed class SessionTests
{
    [Fact]
    public async Task Initialize_IssuesAnUnguessableSessionId_ThatLaterRequestsUse()
    {
        using var server = new PrynaiServerFactory();
        var client = server.CreateClient();

        var ids = new HashSet<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await McpSessions.InitializeAsync(client));
        }
        Assert.Equal(5, ids.Count);
        Assert.All(ids, id => Assert.Matches("^[A-Za-z0-9_-]{43}$", id));

        using var list = await client.SendAsync(McpHttp.SessionRequest(ids.First(), "tools/list", id: 2), Ct);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(ids.First(), list.Headers.GetValues("Mcp-Session-Id").Single());
        Assert.NotNull((await McpHttp.ResponseAsync(list))["result"]!["tools"]);
    }

    [Fact]
    public async Task Delete_EndsTheSession_ThenItsIdIs404()
    {
        using var server = new PrynaiServerFactory();
        var client = server.CreateClient();
        var sessionId = await McpSessions.InitializeAsync(client);

        using var delete = await client.SendAsync(McpSessions.Request(HttpMethod.Delete, sessionId), Ct);
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);

        using var after = await client.SendAsync(McpHttp.SessionRequest(sessionId, "tools/list", id: 5), Ct);
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
        var error = await McpHttp.ResponseAsync(after);
        Assert.Equal(-32001, McpHttp.ErrorCode(error));
        Assert.Equal(5, error["id"]!.GetValue<int>());

        using var deleteAgain = await client.SendAsync(McpSessions.Request(HttpMethod.Delete, sessionId), Ct);
        Assert.Equal(HttpStatusCode.NotFound, deleteAgain.StatusCode);
    }

    [Fact]
    public async Task UnknownSessionId_Is404_OnEveryVerb()
    {
        using var server = new PrynaiServerFactory();
        var client = server.CreateClient();
        const string unknown = "bm90LWEtcmVhbC1zZXNzaW9uLWlkLWF0LWFsbC1yZWFsbHk";

        using var post = await client.SendAsync(McpHttp.SessionRequest(unknown, "ping", id: 1), Ct);
        using var get = await client.SendAsync(McpSessions.Request(HttpMethod.Get, unknown), Ct);
        using var delete = await client.SendAsync(McpSessions.Request(HttpMethod.Delete, unknown), Ct);

        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound], [post.StatusCode, get.StatusCode, delete.StatusCode]);
    }

    [Fact]
    public async Task GetAndDelete_WithoutASessionId_Are400()
    {
        using var server = new PrynaiServerFactory();
        var client = server.CreateClient();
        using var get = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/mcp") { Headers = { { "Accept", "text/event-stream" } } }, Ct);
        using var delete = await client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/mcp"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, get.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, delete.StatusCode);
    }

    [Fact]
    public async Task Get_OpensOneStreamPerSession_ASecondIs409()
    {
        using var server = new PrynaiServerFactory();
        var client = server.CreateClient();
        var sessionId = await McpSessions.InitializeAsync(client);

        using var first = await client.SendAsync(McpSessions.Request(HttpMethod.Get, sessionId), HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("text/event-stream", first.Content.Headers.ContentType?.MediaType);

        using var second = await client.SendAsync(McpSessions.Request(HttpMethod.Get, sessionId), Ct);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
    }

    [Fact]
    public async Task Get_WithoutEventStreamInAccept_Is406()
    {
        using var server = new PrynaiServerFactory();
        var client = server.CreateClient();
        var sessionId = await McpSessions.InitializeAsync(client);
        var request = McpSessions.Request(HttpMethod.Get, sessionId);
        request.Headers.Remove("Accept");
        request.Headers.Add("Accept", "application/json");

        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.NotAcceptable, response.StatusCode);
    }

    [Fact]
    public async Task Sessions_BeyondTheCap_Are503_UntilOneEnds()
    {
        using var server = new PrynaiServerFactory(new Dictionary<string, string?> { ["Mcp:MaxSessions"] = "2" });
        var client = server.CreateClient();
        var first = await McpSessions.InitializeAsync(client);
        await McpSessions.InitializeAsync(client);

        using var refused = await client.SendAsync(McpHttp.Initialize(), Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Contains("maximum of 2 sessions", (await McpHttp.ResponseAsync(refused))["error"]!["message"]!.GetValue<string>());

        using var _ = await client.SendAsync(McpSessions.Request(HttpMethod.Delete, first), Ct);
        await McpSessions.InitializeAsync(client);
    }

    [Fact]
    public async Task IdleSession_IsDroppedFromMemory_AndEndsWhenItsRecordExpires()
    {
        using var server = new PrynaiServerFactory(new Dictionary<string, string?> { ["Mcp:SessionIdleTimeout"] = "00:00:01" });
        var client = server.CreateClient();
        var sessionId = await McpSessions.InitializeAsync(client);
        var table = server.Services.GetRequiredService<Prynai.McpServer.Transport.Sessions.ResidentSessions>();
        Assert.Equal(1, table.Count);

        await Eventually.TrueAsync(() => table.Count == 0, TimeSpan.FromSeconds(10), "the idle session should leave memory");
        await Task.Delay(TimeSpan.FromSeconds(0.5), Ct);

        using var after = await client.SendAsync(McpHttp.SessionRequest(sessionId, "tools/list", id: 2), Ct);
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
    }

    [Fact]
    public async Task Session_SurvivesARestart_RestoredFromTheStore()
    {
        using var state = new TempDirectory();
        string sessionId;
        using (var before = new PrynaiServerFactory(stateDirectory: state.Path))
        {
            sessionId = await McpSessions.InitializeAsync(before.CreateClient());
        }

        using var after = new PrynaiServerFactory(stateDirectory: state.Path);
        using var response = await after.CreateClient().SendAsync(McpHttp.SessionRequest(sessionId, "tools/call",
            new JsonObject { ["name"] = "add", ["arguments"] = new JsonObject { ["a"] = 20, ["b"] = 22 } }, id: 9), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(42, (await McpHttp.ResponseAsync(response))["result"]!["structuredContent"]!["result"]!.GetValue<double>());
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}

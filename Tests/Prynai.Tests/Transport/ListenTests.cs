using System.Net;
using System.Text.Json.Nodes;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Transport;

/// <summary>subscriptions/listen (2026-07-28): acknowledgement first, tagged notifications, filters honoured.</summary>
public sealed class ListenTests
{
    [Fact]
    public async Task Listen_AcknowledgesFirst_ThenDeliversCounterUpdates_TaggedWithTheSubscriptionId()
    {
        using var server = new PrynaiServerFactory();
        var http = server.CreateClient();
        await using var listen = await OpenListenAsync(http, new JsonObject { ["resourceSubscriptions"] = new JsonArray("prynai://counter") }, id: 4242);

        var ack = await listen.NextAsync();
        Assert.Equal("notifications/subscriptions/acknowledged", ack["method"]!.GetValue<string>());
        Assert.Equal(4242, ack["params"]!["_meta"]!["io.modelcontextprotocol/subscriptionId"]!.GetValue<int>());
        Assert.Equal(["prynai://counter"], ack["params"]!["notifications"]!["resourceSubscriptions"]!.AsArray().Select(v => v!.GetValue<string>()));

        await BumpAsync(http);
        var update = await listen.NextAsync();
        Assert.Equal("notifications/resources/updated", update["method"]!.GetValue<string>());
        Assert.Equal("prynai://counter", update["params"]!["uri"]!.GetValue<string>());
        Assert.Equal(4242, update["params"]!["_meta"]!["io.modelcontextprotocol/subscriptionId"]!.GetValue<int>());
    }

    [Theory]
    [InlineData(null, "needs params.notifications, an object naming what to listen to (e.g. {\"toolsListChanged\": true}), got none.")]
    [InlineData("[]", "needs params.notifications, an object naming what to listen to (e.g. {\"toolsListChanged\": true}), got an array.")]
    [InlineData("""{"toolsListChanged":"yes"}""", "params.notifications.toolsListChanged has the wrong JSON type (expected a boolean).")]
    public async Task Listen_WithoutWhatToListenTo_IsInvalidParams_SayingWhat(string? notifications, string message)
    {
        using var server = new PrynaiServerFactory();
        var parameters = new JsonObject();
        if (notifications is not null)
        {
            parameters["notifications"] = JsonNode.Parse(notifications);
        }
        using var response = await server.CreateClient().SendAsync(McpHttp.StatelessRequest("subscriptions/listen", parameters), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await McpHttp.ResponseAsync(response);
        Assert.Equal(-32602, McpHttp.ErrorCode(error));
        Assert.EndsWith(message, error["error"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Listen_GrantsOnlyWhatWasAsked_AndSendsNothingElse()
    {
        using var server = new PrynaiServerFactory();
        var http = server.CreateClient();
        await using var listen = await OpenListenAsync(http, new JsonObject { ["promptsListChanged"] = true }, id: "sub-1");

        var ack = await listen.NextAsync();
        var granted = ack["params"]!["notifications"]!.AsObject();
        Assert.Equal(["promptsListChanged"], granted.Select(p => p.Key));
        Assert.Equal("sub-1", ack["params"]!["_meta"]!["io.modelcontextprotocol/subscriptionId"]!.GetValue<string>());

        await BumpAsync(http);
        Assert.Null(await listen.NextAsync(TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public async Task Listen_ToAnUnknownResource_Is400InvalidParams()
    {
        using var server = new PrynaiServerFactory();
        var request = McpHttp.StatelessRequest("subscriptions/listen",
            new JsonObject { ["notifications"] = new JsonObject { ["resourceSubscriptions"] = new JsonArray("prynai://nope") } });
        using var response = await server.CreateClient().SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(-32602, McpHttp.ErrorCode(await McpHttp.ResponseAsync(response)));
    }

    [Fact]
    public async Task AbandonedListenStream_DoesNotStopOtherRequests()
    {
        using var server = new PrynaiServerFactory();
        var http = server.CreateClient();
        var streams = new List<SseStream>();
        for (var i = 0; i < 5; i++)
        {
            streams.Add(await OpenListenAsync(http, new JsonObject { ["toolsListChanged"] = true }, id: i));
        }

        await BumpAsync(http);
        foreach (var stream in streams)
        {
            await stream.DisposeAsync();
        }
        await BumpAsync(http);
    }

    private static async Task BumpAsync(HttpClient http)
    {
        using var response = await http.SendAsync(McpHttp.StatelessRequest("tools/call",
            new JsonObject { ["name"] = "bump_counter", ["arguments"] = new JsonObject() }, name: "bump_counter", id: 99), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static Task<SseStream> OpenListenAsync(HttpClient http, JsonObject filter, object id) =>
        SseStream.OpenAsync(http, McpHttp.StatelessRequest("subscriptions/listen", new JsonObject { ["notifications"] = filter }, id: id));
}

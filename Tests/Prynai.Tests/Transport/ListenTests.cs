using System.Net;
using System.Text;
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
        await using var listen = await ListenStream.OpenAsync(http, new JsonObject { ["resourceSubscriptions"] = new JsonArray("prynai://counter") }, id: 4242);

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

    [Fact]
    public async Task Listen_GrantsOnlyWhatWasAsked_AndSendsNothingElse()
    {
        using var server = new PrynaiServerFactory();
        var http = server.CreateClient();
        await using var listen = await ListenStream.OpenAsync(http, new JsonObject { ["promptsListChanged"] = true }, id: "sub-1");

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
        var streams = new List<ListenStream>();
        for (var i = 0; i < 5; i++)
        {
            streams.Add(await ListenStream.OpenAsync(http, new JsonObject { ["toolsListChanged"] = true }, id: i));
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

    /// <summary>A held-open subscriptions/listen POST, read one SSE message at a time.</summary>
    private sealed class ListenStream : IAsyncDisposable
    {
        private readonly HttpResponseMessage _response;
        private readonly StreamReader _reader;
        private readonly CancellationTokenSource _stop = new();
        private Task<string?>? _pendingLine;

        private ListenStream(HttpResponseMessage response, StreamReader reader)
        {
            _response = response;
            _reader = reader;
        }

        public static async Task<ListenStream> OpenAsync(HttpClient http, JsonObject filter, object id)
        {
            var request = McpHttp.StatelessRequest("subscriptions/listen", new JsonObject { ["notifications"] = filter }, id: id);
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return new ListenStream(response, new StreamReader(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken), Encoding.UTF8));
        }

        public async Task<JsonObject> NextAsync() =>
            await NextAsync(TimeSpan.FromSeconds(10)) ?? throw new TimeoutException("No message on the listen stream.");

        public async Task<JsonObject?> NextAsync(TimeSpan timeout)
        {
            var deadline = Task.Delay(timeout, TestContext.Current.CancellationToken);
            while (true)
            {
                _pendingLine ??= _reader.ReadLineAsync(_stop.Token).AsTask();
                if (await Task.WhenAny(_pendingLine, deadline) == deadline)
                {
                    return null;
                }
                var line = await _pendingLine;
                _pendingLine = null;
                if (line is null)
                {
                    return null;
                }
                if (line.StartsWith("data:", StringComparison.Ordinal))
                {
                    return JsonNode.Parse(line[5..])!.AsObject();
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _response.Dispose();
            _reader.Dispose();
        }
    }
}

using System.Net;
using System.Text.Json.Nodes;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Transport;

/// <summary>
/// A handshake session's GET stream can be closed and opened again, and resumed with Last-Event-ID: what was notified
/// while the client was away is replayed from the session's event log (bounded by Mcp:ReplayMaxEvents and
/// Mcp:ReplayWindow), then the stream goes on live.
/// </summary>
public sealed class StreamResumptionTests
{
    [Fact]
    public async Task SecondGetAfterTheFirstClosed_StreamsNotifications()
    {
        using var server = new PrynaiServerFactory();
        var http = server.CreateClient();
        var sessionId = await McpSessions.InitializeAsync(http);
        await McpSessions.SubscribeToCounterAsync(http, sessionId);

        await using (var first = await McpSessions.OpenStreamAsync(http, sessionId))
        {
            await McpSessions.BumpCounterAsync(http, sessionId);
            await first.NextAsync("notifications/resources/updated");
        }
        await Task.Delay(200, Ct);

        await using var second = await McpSessions.OpenStreamAsync(http, sessionId);
        await McpSessions.BumpCounterAsync(http, sessionId);
        var update = await second.NextAsync("notifications/resources/updated");
        Assert.Equal("prynai://counter", update["params"]!["uri"]!.GetValue<string>());
    }

    [Fact]
    public async Task WhatChangedBetweenSubscribeAndTheFirstGet_IsDeliveredWhenTheStreamOpens()
    {
        using var server = new PrynaiServerFactory();
        var http = server.CreateClient();
        var sessionId = await McpSessions.InitializeAsync(http);
        await McpSessions.SubscribeToCounterAsync(http, sessionId);
        await McpSessions.BumpCounterAsync(http, sessionId);
        await ListChangeAsync(server);

        await using var stream = await McpSessions.OpenStreamAsync(http, sessionId);
        var missed = new[] { await stream.NextAsync(), await stream.NextAsync() };
        Assert.Equal(["notifications/resources/updated", "notifications/tools/list_changed"], missed.Select(m => m["method"]!.GetValue<string>()));
        var afterReplay = long.Parse(stream.LastEventId!);
        Assert.Null(await stream.NextAsync(TimeSpan.FromMilliseconds(300)));

        await McpSessions.BumpCounterAsync(http, sessionId);
        await stream.NextAsync("notifications/resources/updated");
        Assert.True(long.Parse(stream.LastEventId!) > afterReplay);
    }

    [Fact]
    public async Task ASecondFreshGet_DoesNotReplayWhatTheFirstDelivered()
    {
        using var server = new PrynaiServerFactory();
        var http = server.CreateClient();
        var sessionId = await McpSessions.InitializeAsync(http);
        await McpSessions.SubscribeToCounterAsync(http, sessionId);
        await McpSessions.BumpCounterAsync(http, sessionId);
        await using (var first = await McpSessions.OpenStreamAsync(http, sessionId))
        {
            await first.NextAsync("notifications/resources/updated");
        }
        await Task.Delay(200, Ct);

        await using var second = await McpSessions.OpenStreamAsync(http, sessionId);
        Assert.Null(await second.NextAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task ResumingWithLastEventId_ReplaysWhatWasMissed_ThenStreamsOn()
    {
        using var server = new PrynaiServerFactory();
        var http = server.CreateClient();
        var sessionId = await McpSessions.InitializeAsync(http);
        await McpSessions.SubscribeToCounterAsync(http, sessionId);

        string primed;
        await using (var first = await McpSessions.OpenStreamAsync(http, sessionId))
        {
            primed = await first.EventIdAsync();
        }
        await Task.Delay(200, Ct);
        await McpSessions.BumpCounterAsync(http, sessionId);
        await McpSessions.BumpCounterAsync(http, sessionId);
        await ListChangeAsync(server);

        await using var resumed = await McpSessions.OpenStreamAsync(http, sessionId, lastEventId: primed);
        var missed = new[] { await resumed.NextAsync(), await resumed.NextAsync(), await resumed.NextAsync() };
        Assert.Equal(["notifications/resources/updated", "notifications/resources/updated", "notifications/tools/list_changed"],
            missed.Select(m => m["method"]!.GetValue<string>()));
        Assert.True(long.Parse(resumed.LastEventId!) > long.Parse(primed));
        Assert.Null(await resumed.NextAsync(TimeSpan.FromMilliseconds(300)));

        await McpSessions.BumpCounterAsync(http, sessionId);
        Assert.Equal("prynai://counter", (await resumed.NextAsync("notifications/resources/updated"))["params"]!["uri"]!.GetValue<string>());
    }

    [Fact]
    public async Task ResumingFromALaterEvent_ReplaysOnlyWhatFollowsIt()
    {
        using var server = new PrynaiServerFactory();
        var http = server.CreateClient();
        var sessionId = await McpSessions.InitializeAsync(http);
        await McpSessions.SubscribeToCounterAsync(http, sessionId);

        string afterFirst;
        await using (var stream = await McpSessions.OpenStreamAsync(http, sessionId))
        {
            await McpSessions.BumpCounterAsync(http, sessionId);
            await stream.NextAsync("notifications/resources/updated");
            afterFirst = stream.LastEventId!;
            await McpSessions.BumpCounterAsync(http, sessionId);
            await stream.NextAsync("notifications/resources/updated");
        }
        await Task.Delay(200, Ct);

        await using var resumed = await McpSessions.OpenStreamAsync(http, sessionId, lastEventId: afterFirst);
        await resumed.NextAsync("notifications/resources/updated");
        Assert.Null(await resumed.NextAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task ResumingWhileTheOldStreamStillLooksOpen_TakesItOver()
    {
        using var server = new PrynaiServerFactory();
        var http = server.CreateClient();
        var sessionId = await McpSessions.InitializeAsync(http);
        await McpSessions.SubscribeToCounterAsync(http, sessionId);

        await using var stale = await McpSessions.OpenStreamAsync(http, sessionId);
        var primed = await stale.EventIdAsync();
        await using var resumed = await McpSessions.OpenStreamAsync(http, sessionId, lastEventId: primed);

        Assert.Null(await stale.NextAsync(TimeSpan.FromSeconds(2))); // ended by the server
        await McpSessions.BumpCounterAsync(http, sessionId);
        await resumed.NextAsync("notifications/resources/updated");
    }

    [Fact]
    public async Task ReplayBuffer_KeepsOnlyTheConfiguredNumberOfEvents()
    {
        using var server = new PrynaiServerFactory(new Dictionary<string, string?> { ["Mcp:ReplayMaxEvents"] = "2" });
        var http = server.CreateClient();
        var sessionId = await McpSessions.InitializeAsync(http);
        await McpSessions.SubscribeToCounterAsync(http, sessionId);
        string primed;
        await using (var stream = await McpSessions.OpenStreamAsync(http, sessionId))
        {
            primed = await stream.EventIdAsync();
        }
        await Task.Delay(200, Ct);

        for (var i = 0; i < 4; i++)
        {
            await McpSessions.BumpCounterAsync(http, sessionId);
        }

        await using var resumed = await McpSessions.OpenStreamAsync(http, sessionId, lastEventId: primed);
        await resumed.NextAsync("notifications/resources/updated");
        await resumed.NextAsync("notifications/resources/updated");
        Assert.Null(await resumed.NextAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task AfterTheReplayWindow_NothingIsRecorded_AndTheSessionMayPark()
    {
        using var server = new PrynaiServerFactory(new Dictionary<string, string?>
        {
            ["Mcp:ReplayWindow"] = "00:00:01",
            ["Mcp:SessionParkAfter"] = "00:00:01",
        });
        var http = server.CreateClient();
        var sessionId = await McpSessions.InitializeAsync(http);
        await McpSessions.SubscribeToCounterAsync(http, sessionId);
        string primed;
        await using (var stream = await McpSessions.OpenStreamAsync(http, sessionId))
        {
            primed = await stream.EventIdAsync();
        }
        var table = server.Services.GetRequiredService<Prynai.McpServer.Transport.Sessions.ResidentSessions>();
        await Eventually.TrueAsync(() => !table.TryGet(sessionId, out _), TimeSpan.FromSeconds(10), "the session should park once its window passed");

        await McpSessions.BumpCounterAsync(http, sessionId);
        await using var resumed = await McpSessions.OpenStreamAsync(http, sessionId, lastEventId: primed);
        Assert.Null(await resumed.NextAsync(TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public async Task Stream_YieldsOnlyToOneThatStartedLater_WhereverItIs()
    {
        using var server = new PrynaiServerFactory();
        var http = server.CreateClient();
        var store = server.Services.GetRequiredService<Prynai.McpServer.State.IStateStore>();
        var sessionId = await McpSessions.InitializeAsync(http);
        await McpSessions.SubscribeToCounterAsync(http, sessionId);
        string firstStart;
        await using (var first = await McpSessions.OpenStreamAsync(http, sessionId))
        {
            firstStart = await first.EventIdAsync();
        }
        await Task.Delay(200, Ct);
        await using var current = await McpSessions.OpenStreamAsync(http, sessionId);
        var currentStart = await current.EventIdAsync();

        // A late announcement of the older stream (the change feed can lag) leaves the current one alone...
        await store.PublishAsync(new Prynai.McpServer.State.StateChange(Prynai.McpServer.State.StateTopics.SessionStreamOpened, sessionId, firstStart), Ct);
        await Task.Delay(200, Ct);
        await McpSessions.BumpCounterAsync(http, sessionId);
        await current.NextAsync("notifications/resources/updated");
        var table = server.Services.GetRequiredService<Prynai.McpServer.Transport.Sessions.ResidentSessions>();
        Assert.True(table.TryGet(sessionId, out var stillStreaming) && stillStreaming.Events.IsConnected);

        // ...one that started later (on another replica) takes over: this one ends.
        var later = (long.Parse(currentStart) + 1_000_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await store.PublishAsync(new Prynai.McpServer.State.StateChange(Prynai.McpServer.State.StateTopics.SessionStreamOpened, sessionId, later), Ct);
        Assert.True(table.TryGet(sessionId, out var session));
        await Eventually.TrueAsync(() => !session.Events.IsConnected && !session.HasGetStream, TimeSpan.FromSeconds(5),
            "a stream that started later elsewhere takes over: this one ends and stops recording");
    }

    [Fact]
    public async Task MalformedLastEventId_Is400()
    {
        using var server = new PrynaiServerFactory();
        var http = server.CreateClient();
        var sessionId = await McpSessions.InitializeAsync(http);
        var request = McpSessions.Request(HttpMethod.Get, sessionId);
        request.Headers.Add("Last-Event-ID", "not-an-id");

        using var response = await http.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Last-Event-ID", (await McpHttp.ResponseAsync(response))["error"]!["message"]!.GetValue<string>());
    }

    private static async Task ListChangeAsync(PrynaiServerFactory server)
    {
        var store = server.Services.GetRequiredService<Prynai.McpServer.State.IStateStore>();
        await store.PublishAsync(new Prynai.McpServer.State.StateChange(Prynai.McpServer.State.StateTopics.ListChanged, "notifications/tools/list_changed"), Ct);
        await Task.Delay(150, Ct);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}

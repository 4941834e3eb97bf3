using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Prynai.Rehearsal.Load;

/// <summary>
/// A 2025-11-25 session client: subscribed to prynai://counter, holding its GET stream (resumed with Last-Event-ID
/// after the retry the server asks for whenever a drain ends it), calling tools and bumping the counter.
/// </summary>
internal sealed class SessionClient(HttpClient http, Tally tally, int index)
{
    private long? _lastId;
    private int _retryMilliseconds = 1000;
    private int _updates;
    private int _toolsListChanged;
    private int _otherListChanged;
    private int _streamsEnded;
    private int _streamsResumed;
    private int _uncleanCuts;

    public string SessionId { get; private set; } = "";

    /// <summary>When the GET stream was first open (primed): every counter change sent after it is owed to this client.</summary>
    public TimeSpan? PrimedAt { get; private set; }

    /// <summary>Ids of the notifications this client received on its GET stream.</summary>
    public ConcurrentDictionary<long, byte> Received { get; } = new();

    /// <summary>The id the stream started at (its priming event): every notification logged after it is owed to the client.</summary>
    public long? FirstId { get; private set; }

    public int Updates => _updates;

    public int ToolsListChanged => _toolsListChanged;

    public int OtherListChanged => _otherListChanged;

    public int StreamsEnded => _streamsEnded;

    public int StreamsResumed => _streamsResumed;

    public int UncleanCuts => _uncleanCuts;

    public async Task<bool> StartAsync(CancellationToken cancellationToken)
    {
        tally.Request();
        using var initialize = McpWire.Session(null, "initialize", new JsonObject
        {
            ["protocolVersion"] = McpWire.SessionRevision,
            ["capabilities"] = new JsonObject(),
            ["clientInfo"] = new JsonObject { ["name"] = $"rehearsal-session-{index}", ["version"] = "1" },
        });
        using var response = await http.SendAsync(initialize, cancellationToken);
        if (!response.IsSuccessStatusCode || !response.Headers.TryGetValues("Mcp-Session-Id", out var ids))
        {
            tally.Failure($"session {index} initialize: HTTP {(int)response.StatusCode}");
            return false;
        }
        SessionId = ids.Single();
        tally.Request();
        using (var initialized = await http.SendAsync(McpWire.Session(SessionId, "notifications/initialized", null, notification: true), cancellationToken))
        {
            if (!initialized.IsSuccessStatusCode)
            {
                tally.Failure($"session {index} notifications/initialized: HTTP {(int)initialized.StatusCode}");
                return false;
            }
        }
        return await tally.CallAsync(http, McpWire.Session(SessionId, "resources/subscribe", new JsonObject { ["uri"] = "prynai://counter" }), "subscribe", cancellationToken) is not null;
    }

    /// <summary>Tool calls until <paramref name="stop"/>: add, every eighth a counter bump, every twentieth tools/list.</summary>
    public async Task CallAsync(CancellationToken stop)
    {
        for (var i = 1; !stop.IsCancellationRequested; i++)
        {
            try
            {
                if (i % 8 == 0)
                {
                    var sentAt = tally.Clock.Elapsed;
                    if (await tally.CallAsync(http, McpWire.Session(SessionId, "tools/call", Tool("bump_counter", new JsonObject())), "session bump_counter", Tally.UntilAnswered) is not null)
                    {
                        tally.BumpAcknowledged(sentAt);
                    }
                }
                else if (i % 20 == 0)
                {
                    await tally.CallAsync(http, McpWire.Session(SessionId, "tools/list", null), "session tools/list", Tally.UntilAnswered);
                }
                else if (await tally.CallAsync(http, McpWire.Session(SessionId, "tools/call", Tool("add", new JsonObject { ["a"] = i, ["b"] = 1 })), "session add", Tally.UntilAnswered)
                    is { } sum && sum["structuredContent"]?["result"]?.GetValue<double>() != i + 1)
                {
                    tally.Failure($"session add: wrong result {sum.ToJsonString()}");
                }
                await Task.Delay(100, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        }
    }

    /// <summary>The GET stream until <paramref name="stop"/>, resumed wherever it ends.</summary>
    public async Task StreamAsync(CancellationToken stop)
    {
        var opened = false;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                tally.Request();
                using var response = await http.SendAsync(McpWire.SessionStream(SessionId, _lastId), HttpCompletionOption.ResponseHeadersRead, stop);
                if (!response.IsSuccessStatusCode)
                {
                    tally.Failure($"session {index} GET stream: HTTP {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(stop)}");
                    await Task.Delay(250, stop);
                    continue;
                }
                if (opened)
                {
                    Interlocked.Increment(ref _streamsResumed);
                }
                opened = true;
                var reader = new SseReader(await response.Content.ReadAsStreamAsync(stop));
                while (await reader.NextAsync(stop) is { } received)
                {
                    Apply(received);
                }
                // The server ended the stream (a drain): come back after the retry it asked for, from the last id.
                Interlocked.Increment(ref _streamsEnded);
                await Task.Delay(_retryMilliseconds, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                Interlocked.Increment(ref _uncleanCuts);
                tally.Failure($"session {index} GET stream cut: {ex.Message}");
                await Task.Delay(250, CancellationToken.None);
            }
        }
    }

    private void Apply(SseEvent received)
    {
        if (received.Retry is { } retry)
        {
            _retryMilliseconds = retry;
        }
        if (received.Id is { } id)
        {
            _lastId = id;
            if (FirstId is null)
            {
                FirstId = id;
                PrimedAt = tally.Clock.Elapsed;
            }
            if (received.Message is not null)
            {
                Received.TryAdd(id, 0);
            }
        }
        switch (received.Message?["method"]?.GetValue<string>())
        {
            case "notifications/resources/updated":
                Interlocked.Increment(ref _updates);
                break;
            case "notifications/tools/list_changed":
                Interlocked.Increment(ref _toolsListChanged);
                break;
            case "notifications/prompts/list_changed" or "notifications/resources/list_changed":
                Interlocked.Increment(ref _otherListChanged);
                break;
        }
    }

    private static JsonObject Tool(string name, JsonObject arguments) => new() { ["name"] = name, ["arguments"] = arguments };
}

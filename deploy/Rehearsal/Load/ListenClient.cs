using System.Text.Json.Nodes;

namespace Prynai.Rehearsal.Load;

/// <summary>
/// A 2026-07-28 subscriptions/listen client following the tool list and the counter: when a drain ends its stream (with
/// the listen request's result), it listens again — on whichever revision has the traffic then.
/// </summary>
internal sealed class ListenClient(HttpClient http, Tally tally, int index)
{
    private int _ended;
    private int _reopened;
    private int _toolsListChanged;
    private int _uncleanCuts;

    /// <summary>Streams the server ended with the listen request's result (the planned end of a drain).</summary>
    public int Ended => _ended;

    public int Reopened => _reopened;

    public int ToolsListChanged => _toolsListChanged;

    public int UncleanCuts => _uncleanCuts;

    public async Task RunAsync(CancellationToken stop)
    {
        var opened = false;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var request = McpWire.LongLived(McpWire.Stateless("subscriptions/listen", new JsonObject
                {
                    ["notifications"] = new JsonObject { ["toolsListChanged"] = true, ["resourceSubscriptions"] = new JsonArray("prynai://counter") },
                }));
                var id = JsonNode.Parse(await request.Content!.ReadAsStringAsync(stop))!["id"]!.GetValue<long>();
                tally.Request();
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop);
                if (!response.IsSuccessStatusCode)
                {
                    tally.Failure($"listener {index}: HTTP {(int)response.StatusCode}");
                    await Task.Delay(250, stop);
                    continue;
                }
                if (opened)
                {
                    Interlocked.Increment(ref _reopened);
                }
                opened = true;
                var reader = new SseReader(await response.Content.ReadAsStreamAsync(stop));
                var answered = false;
                while (!answered && await reader.NextAsync(stop) is { } received)
                {
                    if (received.Message?["id"]?.GetValue<long>() == id)
                    {
                        answered = true;
                    }
                    else if (received.Message?["method"]?.GetValue<string>() == "notifications/tools/list_changed")
                    {
                        Interlocked.Increment(ref _toolsListChanged);
                    }
                }
                if (answered)
                {
                    Interlocked.Increment(ref _ended);
                }
                else
                {
                    Interlocked.Increment(ref _uncleanCuts);
                    tally.Failure($"listener {index}: the stream ended without the listen request's result");
                }
                await Task.Delay(200, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                Interlocked.Increment(ref _uncleanCuts);
                tally.Failure($"listener {index} cut: {ex.Message}");
                await Task.Delay(250, CancellationToken.None);
            }
        }
    }
}

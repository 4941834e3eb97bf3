using System.Text.Json.Nodes;

namespace Prynai.Rehearsal.Load;

/// <summary>A 2026-07-28 client: no session; tool calls, reads of prynai://server-info (which revision answered), counter bumps.</summary>
internal sealed class StatelessCaller(HttpClient http, Tally tally)
{
    public async Task RunAsync(CancellationToken stop)
    {
        for (var i = 1; !stop.IsCancellationRequested; i++)
        {
            try
            {
                if (i % 6 == 0)
                {
                    var sentAt = tally.Clock.Elapsed;
                    if (await tally.CallAsync(http, McpWire.Stateless("tools/call", Tool("bump_counter", new JsonObject()), "bump_counter"), "stateless bump_counter", Tally.UntilAnswered) is not null)
                    {
                        tally.BumpAcknowledged(sentAt);
                    }
                }
                else if (i % 3 == 0)
                {
                    if (await tally.CallAsync(http, McpWire.Stateless("resources/read", new JsonObject { ["uri"] = "prynai://server-info" }, "prynai://server-info"),
                        "stateless resources/read", Tally.UntilAnswered) is { } read && read["contents"]?[0]?["text"]?.GetValue<string>() is { } text)
                    {
                        tally.AnsweredBy.AddOrUpdate(JsonNode.Parse(text)?["revision"]?.GetValue<string>() ?? "?", 1, (_, n) => n + 1);
                    }
                }
                else if (await tally.CallAsync(http, McpWire.Stateless("tools/call", Tool("add", new JsonObject { ["a"] = i, ["b"] = 2 }), "add"), "stateless add", Tally.UntilAnswered)
                    is { } sum && sum["structuredContent"]?["result"]?.GetValue<double>() != i + 2)
                {
                    tally.Failure($"stateless add: wrong result {sum.ToJsonString()}");
                }
                await Task.Delay(50, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        }
    }

    private static JsonObject Tool(string name, JsonObject arguments) => new() { ["name"] = name, ["arguments"] = arguments };
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Prynai.McpServer.Transport;
using Prynai.McpServer.Transport.Sessions;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Transport;

/// <summary>
/// Throws a few thousand generated malformed requests (seeded, bounded in count and time) at both protocol
/// generations on a real Kestrel server: none may get a 5xx or hang, nothing may be logged at error level, a failed
/// initialize leaves no session behind, and the server serves normally afterwards.
/// Reproduce or widen a run with PRYNAI_BADINPUT_SEED and PRYNAI_BADINPUT_COUNT (per generation).
/// </summary>
public sealed class GeneratedBadInputTests
{
    private const int DefaultCountPerGeneration = 1500;
    private static readonly TimeSpan TimeBudget = TimeSpan.FromSeconds(150);
    // A hang is a request with no answer in this time; generous, because the machine running the tests may be busy.
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(15);
    private static readonly string[] ResourceUris =
        ["prynai://counter", "prynai://status", "prynai://server-info", "hello://world", "customer://C0001", "kb://KB-0001", "prynai://nothing"];

    [Fact]
    public async Task GeneratedBadInput_OnBothGenerations_NeverGets5xxOrAnErrorLog_AndTheServerStaysHealthy()
    {
        var seed = int.TryParse(System.Environment.GetEnvironmentVariable("PRYNAI_BADINPUT_SEED"), out var s) ? s : 20261206;
        var countPerGeneration = int.TryParse(System.Environment.GetEnvironmentVariable("PRYNAI_BADINPUT_COUNT"), out var c) ? c : DefaultCountPerGeneration;
        var logs = new CapturedLogs();
        await using var server = KestrelServer.Start(logs);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        var tools = await ListToolsAsync(http);
        var sessions = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            sessions.Add(await InitializeAsync(http));
        }
        var sessionTable = server.Services.GetRequiredService<ResidentSessions>();
        var sessionsBefore = sessionTable.Count;
        logs.Clear();

        var generator = new BadInputGenerator(seed, tools, ResourceUris);
        var requests = new List<(string Generation, RawHttpRequest Request)>();
        for (var i = 0; i < countPerGeneration; i++)
        {
            requests.Add(("2026-07-28", generator.NextStateless()));
            requests.Add(("2025-11-25", generator.NextSession(sessions)));
        }

        var results = new ConcurrentBag<(string Generation, RawHttpRequest Request, RawHttpResponse Response)>();
        var clock = Stopwatch.StartNew();
        var sent = 0;
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 6, CancellationToken = Ct }, async (item, ct) =>
        {
            if (clock.Elapsed > TimeBudget)
            {
                return;
            }
            Interlocked.Increment(ref sent);
            var response = await RawHttp.SendAsync(server.BaseAddress, item.Request, RequestTimeout, ct);
            results.Add((item.Generation, item.Request, response));
        });
        clock.Stop();

        var serverErrors = results.Where(r => r.Response.Status >= 500).ToList();
        var unanswered = results.Where(r => r.Response.Status == 0 && r.Request.Framing != BodyFraming.TruncatedBody).ToList();
        var hung = results.Where(r => r.Response.StillOpen && r.Request.Method == "POST").ToList();
        // -32603, or the SDK's tool error for arguments it could not bind: both say "An error occurred" instead of what.
        var internalErrors = results.Where(r => r.Response.Body.Contains("\"code\":-32603", StringComparison.Ordinal)
            || r.Response.Body.Contains("An error occurred", StringComparison.Ordinal)).ToList();
        var failureLogs = logs.Failures;
        var initializesWithSession = results.Count(r => r.Request.Description.Contains(" initialize:", StringComparison.Ordinal)
            && r.Response.Status == 200 && r.Response.Header("Mcp-Session-Id") is not null);
        var successfulInitializes = results.Count(r => r.Request.Description.Contains(" initialize:", StringComparison.Ordinal)
            && r.Response.Status == 200 && r.Response.Body.Contains("\"result\"", StringComparison.Ordinal));

        var output = TestContext.Current.TestOutputHelper!;
        output.WriteLine($"seed {seed}: {sent} generated requests sent ({countPerGeneration} per generation planned) in {clock.Elapsed.TotalSeconds:0.0} s");
        output.WriteLine($"5xx: {serverErrors.Count}; unanswered: {unanswered.Count}; hung POSTs: {hung.Count}; generic-error answers (-32603 or \"An error occurred\"): {internalErrors.Count}; " +
                         $"error-level logs: {failureLogs.Count} ({logs.WithStacks.Count} entries with a stack)");
        output.WriteLine($"initialize: {successfulInitializes} succeeded, {initializesWithSession} answered with a session id; sessions held: {sessionsBefore} before, {sessionTable.Count} after");
        output.WriteLine("statuses: " + string.Join(", ", results.GroupBy(r => r.Response.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}×{g.Count()}")));
        foreach (var (generation, request, response) in serverErrors.Concat(unanswered).Concat(hung).Concat(internalErrors).Take(40))
        {
            output.WriteLine($"  {response.Status} {request.Description} → {Shorten(response.Body)}");
        }
        foreach (var entry in failureLogs.GroupBy(e => $"{e.Category}: {e.Exception?.GetType().Name} {Shorten(e.Exception?.Message ?? e.Message)}").Take(30))
        {
            output.WriteLine($"  log ×{entry.Count()} {entry.Key}");
        }

        if (System.Environment.GetEnvironmentVariable("PRYNAI_BADINPUT_REPORT") is { Length: > 0 } reportPath)
        {
            await File.WriteAllLinesAsync(reportPath, results.Select(r => $"{r.Response.Status}\t{r.Request.Description}\t{Shorten(r.Response.Body.ReplaceLineEndings(" "))}\t{Convert.ToBase64String(r.Request.Body)}")
                .Concat(logs.Entries.Select(e => $"LOG\t{e.ToString().ReplaceLineEndings(" ")}")), Ct);
        }

        Assert.True(sent >= Math.Min(requests.Count, 1000), $"only {sent} requests fit in the time budget");
        Assert.Empty(serverErrors.Select(r => $"{r.Response.Status} {r.Request.Description}"));
        Assert.Empty(unanswered.Select(r => r.Request.Description));
        Assert.Empty(hung.Select(r => r.Request.Description));
        Assert.Empty(internalErrors.Select(r => $"{r.Request.Description} → {Shorten(r.Response.Body)}"));
        Assert.Empty(failureLogs.Select(e => e.ToString()));
        Assert.Equal(successfulInitializes, initializesWithSession);
        await Eventually.TrueAsync(() => sessionTable.Count <= sessionsBefore + successfulInitializes, TimeSpan.FromSeconds(10),
            $"a failed initialize must leave no session: {sessionTable.Count} held, {sessionsBefore} + {successfulInitializes} expected at most");

        // Healthy after: readiness, and a real call on each generation.
        using var health = await http.GetAsync("/healthz", Ct);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var stateless = await http.SendAsync(McpHttp.StatelessRequest("tools/call",
            new JsonObject { ["name"] = "add", ["arguments"] = new JsonObject { ["a"] = 2, ["b"] = 3 } }, name: "add"), Ct);
        Assert.Equal(5, (await McpHttp.ResponseAsync(stateless))["result"]!["structuredContent"]!["result"]!.GetValue<double>());
        var session = await InitializeAsync(http);
        using var list = await http.SendAsync(McpHttp.SessionRequest(session, "tools/list", id: 2), Ct);
        Assert.NotNull((await McpHttp.ResponseAsync(list))["result"]!["tools"]);
    }

    private static async Task<List<GeneratedTool>> ListToolsAsync(HttpClient http)
    {
        using var response = await http.SendAsync(McpHttp.StatelessRequest("tools/list"), Ct);
        var result = (await McpHttp.ResponseAsync(response))["result"]!;
        return [.. result["tools"]!.AsArray().Select(tool => new GeneratedTool(tool!["name"]!.GetValue<string>(), tool["inputSchema"]!.AsObject()))];
    }

    private static async Task<string> InitializeAsync(HttpClient http)
    {
        using var response = await http.SendAsync(McpHttp.Initialize(), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sessionId = response.Headers.GetValues("Mcp-Session-Id").Single();
        using var initialized = await http.SendAsync(McpHttp.SessionRequest(sessionId, "notifications/initialized"), Ct);
        Assert.Equal(HttpStatusCode.Accepted, initialized.StatusCode);
        return sessionId;
    }

    private static string Shorten(string text) => text.Length <= 240 ? text : text[..240] + "…";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}

using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Prynai.Tests.Infrastructure;
using Prynai.Tests.Tasks;

namespace Prynai.Tests.Drain;

/// <summary>
/// SIGTERM to a replica under work, with another replica on the same Redis: readiness first, in-flight requests
/// finish, the GET stream ends with its last event id and a retry hint and resumes on the other replica without a
/// gap, a task that fits finishes, one that does not is handed over (or, when its work cannot move, fails with a
/// clear status at the deadline, not before), and the process exits by itself before the grace period ends.
/// Timings go to the test output.
/// </summary>
[Collection(DrainCollection.Name)]
public sealed class DrainTests(DrainFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Sigterm_ReadinessFirst_InFlightFinishes_StreamEndsWithItsIdAndResumesElsewhere_TaskThatFitsFinishes_ExitBeforeTheDeadline()
    {
        var grace = TimeSpan.FromSeconds(8);
        var margin = TimeSpan.FromSeconds(2);
        await using var a = await ServerProcess.StartAsync(fixture.Settings("rev-a", Drain(grace, margin, acceptFor: "00:00:00.800")));
        using var onA = new HttpClient { BaseAddress = a.BaseAddress };
        using var onB = new HttpClient { BaseAddress = fixture.B.BaseAddress };

        var sessionId = await McpSessions.InitializeAsync(onA);
        await McpSessions.SubscribeToCounterAsync(onA, sessionId);
        await using var stream = await McpSessions.OpenStreamAsync(onA, sessionId);
        await stream.EventIdAsync();
        await McpSessions.BumpCounterAsync(onA, sessionId);
        Assert.Equal("notifications/resources/updated", (await stream.NextAsync())["method"]!.GetValue<string>());

        // 30 steps of 50 ms: about 1.5 s of work, well inside the deadline.
        var task = (await TaskHttp.StartAsync(onA, "long_task", new JsonObject { ["steps"] = 30 }))["taskId"]!.GetValue<string>();
        // A synchronous call of about a second on the session: in flight when SIGTERM arrives.
        var inFlight = onA.SendAsync(McpHttp.SessionRequest(sessionId, "tools/call",
            new JsonObject { ["name"] = "long_task", ["arguments"] = new JsonObject { ["steps"] = 20 } }, id: 9), Ct);
        await TaskHttp.WaitAsync(onB, task, t => t["statusMessage"]?.GetValue<string>()?.StartsWith("step") == true);

        var clock = Stopwatch.StartNew();
        a.Terminate();
        var unready = await FirstUnreadyAsync(a);
        var unreadyAfter = clock.Elapsed;
        using (var probe = new HttpClient { BaseAddress = a.BaseAddress })
        using (var ready = await probe.GetAsync("/readyz", Ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode); // the platform's readiness probe says the same
        }

        var (farewell, ended) = await stream.ReadToEndAsync(TimeSpan.FromSeconds(5));
        var streamEndedAfter = clock.Elapsed;
        Assert.True(ended, "the GET stream ended cleanly");
        Assert.Contains("retry: 1000", farewell);
        var lastId = stream.LastEventId!;
        Assert.Contains($"id: {lastId}", farewell);

        // Changed while the client is away: A, still draining, records it for the client's resume.
        await McpSessions.BumpCounterAsync(onB, sessionId);

        using (var call = await inFlight)
        {
            Assert.Equal(HttpStatusCode.OK, call.StatusCode);
            var result = await McpHttp.ResponseAsync(call);
            Assert.Equal(20, result["result"]!["structuredContent"]!["steps"]!.GetValue<int>());
        }
        var inFlightDoneAfter = clock.Elapsed;

        await using var resumed = await McpSessions.OpenStreamAsync(onB, sessionId, lastEventId: lastId);
        Assert.Equal("notifications/resources/updated", (await resumed.NextAsync())["method"]!.GetValue<string>());

        var finished = await TaskHttp.WaitAsync(onB, task, TaskHttp.Ended, TimeSpan.FromSeconds(15));
        Assert.Equal("completed", TaskHttp.Status(finished));
        Assert.Equal(30, finished["result"]!["structuredContent"]!["steps"]!.GetValue<int>());

        var exitCode = await a.WaitForExitAsync(grace);
        var exitedAfter = clock.Elapsed;
        Assert.Equal(0, exitCode);
        Assert.True(exitedAfter < grace - margin + TimeSpan.FromSeconds(1), $"exited {exitedAfter.TotalSeconds:0.00} s after SIGTERM");
        Assert.Contains("serving", unready);
        Assert.True(unreadyAfter < TimeSpan.FromSeconds(1), $"unready after {unreadyAfter.TotalSeconds:0.00} s");

        // Live again, from B: a change made there reaches the resumed stream.
        await McpSessions.BumpCounterAsync(onB, sessionId);
        Assert.Equal("notifications/resources/updated", (await resumed.NextAsync())["method"]!.GetValue<string>());

        output.WriteLine($"SIGTERM → /healthz unready {unreadyAfter.TotalSeconds:0.00} s, GET stream ended {streamEndedAfter.TotalSeconds:0.00} s, " +
                         $"in-flight call answered {inFlightDoneAfter.TotalSeconds:0.00} s, task completed on A, process exited {exitedAfter.TotalSeconds:0.00} s " +
                         $"(deadline {(grace - margin).TotalSeconds:0.#} s, grace {grace.TotalSeconds:0.#} s)");
    }

    [Fact]
    public async Task Sigterm_TaskThatDoesNotFit_IsHandedOverAndFinishesElsewhere_OneThatCannotMove_FailsClearlyAtTheDeadline()
    {
        var grace = TimeSpan.FromSeconds(3.5);
        var margin = TimeSpan.FromSeconds(1.5);
        await using var a = await ServerProcess.StartAsync(fixture.Settings("rev-a", Drain(grace, margin, acceptFor: "00:00:00.300",
            new() { ["Support__TroubleshootStepDelay"] = "00:00:00.500" })));
        using var onA = new HttpClient { BaseAddress = a.BaseAddress };
        using var onB = new HttpClient { BaseAddress = fixture.B.BaseAddress };

        // 60 steps of 50 ms (3 s) cannot finish by the deadline (2 s); nor can trouble_shoot_device's ten 0.5 s steps.
        var movable = (await TaskHttp.StartAsync(onA, "long_task", new JsonObject { ["steps"] = 60 }))["taskId"]!.GetValue<string>();
        var fixedHere = (await TaskHttp.StartAsync(onA, "trouble_shoot_device", new JsonObject { ["subscription_id"] = "C0001-S1" }))["taskId"]!.GetValue<string>();
        // Followed through B without a pause from before SIGTERM to its end: every status message it shows on the way.
        var messages = new List<string>();
        using var followB = new HttpClient { BaseAddress = fixture.B.BaseAddress };
        await TaskHttp.WaitAsync(followB, movable, t => t["statusMessage"]?.GetValue<string>()?.StartsWith("step") == true, messages: messages);
        var following = TaskHttp.WaitAsync(followB, movable, TaskHttp.Ended, TimeSpan.FromSeconds(20), messages);

        var clock = Stopwatch.StartNew();
        a.Terminate();
        var failed = await TaskHttp.WaitAsync(onB, fixedHere, TaskHttp.Ended, TimeSpan.FromSeconds(10));
        var failedAfter = clock.Elapsed;
        var exitCode = await a.WaitForExitAsync(grace);
        var exitedAfter = clock.Elapsed;
        var moved = await following;
        var movedDoneAfter = clock.Elapsed;

        Assert.Equal("failed", TaskHttp.Status(failed));
        Assert.Contains("cannot move to another replica", failed["error"]!["message"]!.GetValue<string>());
        Assert.True(failedAfter >= grace - margin - TimeSpan.FromSeconds(0.3), $"failed {failedAfter.TotalSeconds:0.00} s after SIGTERM, before the deadline");

        Assert.Equal("completed", TaskHttp.Status(moved));
        Assert.Equal(60, moved["result"]!["structuredContent"]!["steps"]!.GetValue<int>());
        // Its work started again on B: the claim's message, or (when a poll missed that moment) its steps counting from 1 again.
        var steps = messages.Where(m => m.StartsWith("step ", StringComparison.Ordinal)).Select(m => int.Parse(m[5..m.IndexOf('/', StringComparison.Ordinal)])).ToList();
        Assert.True(messages.Any(m => m.StartsWith("Resumed on another replica", StringComparison.Ordinal)) || steps.Zip(steps.Skip(1)).Any(pair => pair.Second < pair.First),
            $"no sign of a restart in: {string.Join(" | ", messages)}");

        Assert.Equal(0, exitCode);
        Assert.True(exitedAfter < grace, $"exited {exitedAfter.TotalSeconds:0.00} s after SIGTERM");
        output.WriteLine($"SIGTERM → task that cannot move failed {failedAfter.TotalSeconds:0.00} s, process exited {exitedAfter.TotalSeconds:0.00} s " +
                         $"(deadline {(grace - margin).TotalSeconds:0.#} s, grace {grace.TotalSeconds:0.#} s); the moved task completed on B " +
                         $"{movedDoneAfter.TotalSeconds:0.00} s after SIGTERM; its status messages seen through B: {string.Join(" | ", messages.Where(m => !m.StartsWith("step", StringComparison.Ordinal)))}");
    }

    [Fact]
    public async Task ASessionMovedToARevisionWithAnotherToolSet_IsToldOnItsStream_AndADrainingReplicasListenersToo()
    {
        // A hides one tool that B serves: the two revisions serve different tool lists, and the same prompts and resources.
        await using var a = await ServerProcess.StartAsync(fixture.Settings("rev-a", Drain(TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(2), acceptFor: "00:00:00.300",
            new() { ["Revision__HiddenTools__0"] = "multiply" })));
        using var onA = new HttpClient { BaseAddress = a.BaseAddress };
        using var onB = new HttpClient { BaseAddress = fixture.B.BaseAddress };

        var sessionId = await McpSessions.InitializeAsync(onA);
        await using var stream = await McpSessions.OpenStreamAsync(onA, sessionId);
        await stream.EventIdAsync();
        Assert.DoesNotContain("multiply", await ToolNamesAsync(onA, sessionId));

        // The session's next request lands on B: its stream, still on A, is told the tool list changed — once.
        var onBTools = await ToolNamesAsync(onB, sessionId);
        Assert.Contains("multiply", onBTools);
        Assert.Equal("notifications/tools/list_changed", (await stream.NextAsync())["method"]!.GetValue<string>());
        await ToolNamesAsync(onB, sessionId);
        Assert.Null(await stream.NextAsync(TimeSpan.FromMilliseconds(700)));

        // Back on A (a rollback): told again, with nothing about prompts or resources, which did not change.
        await ToolNamesAsync(onA, sessionId);
        Assert.Equal("notifications/tools/list_changed", (await stream.NextAsync())["method"]!.GetValue<string>());
        Assert.Null(await stream.NextAsync(TimeSpan.FromMilliseconds(700)));

        // A 2026-07-28 listener on A hears, as A drains, that the lists it listens to differ on the revision it reconnects to.
        await using var listen = await SseStream.OpenAsync(onA, McpHttp.StatelessRequest("subscriptions/listen",
            new JsonObject { ["notifications"] = new JsonObject { ["toolsListChanged"] = true, ["promptsListChanged"] = true } }, id: 5));
        Assert.Equal("notifications/subscriptions/acknowledged", (await listen.NextAsync())["method"]!.GetValue<string>());
        a.Terminate();
        Assert.Equal("notifications/tools/list_changed", (await listen.NextAsync())["method"]!.GetValue<string>());
        var closing = await listen.NextAsync();
        Assert.Equal(5, closing["id"]!.GetValue<int>());
        Assert.NotNull(closing["result"]);
        Assert.Equal(0, await a.WaitForExitAsync(TimeSpan.FromSeconds(6)));
    }

    private static async Task<List<string>> ToolNamesAsync(HttpClient http, string sessionId)
    {
        using var response = await http.SendAsync(McpHttp.SessionRequest(sessionId, "tools/list", id: 20), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await McpHttp.ResponseAsync(response))["result"]!["tools"]!.AsArray().Select(t => t!["name"]!.GetValue<string>())];
    }

    /// <summary>The first /healthz answer that is not 200 (its body), polled every 20 ms.</summary>
    private static async Task<string> FirstUnreadyAsync(ServerProcess server)
    {
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await http.GetAsync("/healthz", Ct);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                    return await response.Content.ReadAsStringAsync(Ct);
                }
            }
            catch (HttpRequestException)
            {
                return "(listener closed)";
            }
            await Task.Delay(20, Ct);
        }
        throw new TimeoutException("/healthz kept answering 200 after SIGTERM");
    }

    private static Dictionary<string, string?> Drain(TimeSpan grace, TimeSpan margin, string acceptFor, Dictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Drain__GracePeriod"] = $"{grace:c}",
            ["Drain__ExitMargin"] = $"{margin:c}",
            ["Drain__AcceptFor"] = acceptFor,
            ["Drain__StreamHandoff"] = "00:00:01.500",
        };
        foreach (var (key, value) in more ?? [])
        {
            settings[key] = value;
        }
        return settings;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}

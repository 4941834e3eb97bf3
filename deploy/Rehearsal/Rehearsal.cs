using System.Diagnostics;
using System.Text.Json.Nodes;
using Prynai.Rehearsal.Load;
using StackExchange.Redis;

namespace Prynai.Rehearsal;

/// <summary>
/// The rollout the deploy scripts perform, rehearsed on this machine under continuous load: revision A serves behind
/// nginx; B (one more tool) starts, is smoke-tested on its own port at 0 % traffic and promoted (nginx reload); A is
/// drained with SIGTERM; then the rollback the same way: a new replica of A, smoke, promote, B drained.
/// </summary>
public static partial class Rehearsal
{
    public static async Task<RehearsalReport> RunAsync(RehearsalOptions options, TextWriter progress, CancellationToken cancellationToken)
    {
        var work = options.WorkDirectory ?? Directory.CreateTempSubdirectory("prynai-rehearsal-").FullName;
        Directory.CreateDirectory(work);
        var report = new RehearsalReport();
        var clock = Stopwatch.StartNew();
        void Step(string what)
        {
            var line = $"{clock.Elapsed.TotalSeconds,6:0.0} s  {what}";
            report.Timeline.Add(line);
            progress.WriteLine(line);
        }
        progress.WriteLine($"Rehearsal in {work} (logs of every process there)");

        var hidden = new Dictionary<string, string> { ["Revision__HiddenTools__0"] = options.ToolOnlyInB };
        var revisions = new List<RevisionProcess>();
        try
        {
            return await RunAsync(options, work, report, clock, Step, hidden, revisions, progress, cancellationToken);
        }
        finally
        {
            foreach (var revision in revisions)
            {
                await revision.DisposeAsync();
            }
        }
    }

    private static async Task<RehearsalReport> RunAsync(RehearsalOptions options, string work, RehearsalReport report, Stopwatch clock, Action<string> step,
        Dictionary<string, string> hidden, List<RevisionProcess> revisions, TextWriter progress, CancellationToken cancellationToken)
    {
        var everything = new Dictionary<string, string>();
        await using var redis = await RedisProcess.StartAsync(work);
        var a = await RevisionProcess.StartAsync(options, work, "rev-a", 1, redis.Url, hidden);
        revisions.Add(a);
        step($"revision rev-a ready in {a.StartedIn.TotalSeconds:0.0} s on :{a.Port} (hides {options.ToolOnlyInB})");
        await using var ingress = await NginxIngress.StartAsync(work, a.Port);
        step($"nginx on :{ingress.Port} sends every request to rev-a");

        using var calls = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1000 }) { BaseAddress = new Uri(ingress.Endpoint, "/"), Timeout = TimeSpan.FromSeconds(60) };
        using var streams = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1000 }) { BaseAddress = new Uri(ingress.Endpoint, "/"), Timeout = Timeout.InfiniteTimeSpan };
        var tally = new Load.Tally();
        report.CounterBefore = await ReadCounterAsync(calls, cancellationToken);

        using var stopCalls = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var stopStreams = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sessions = Enumerable.Range(1, options.Sessions).Select(i => new SessionClient(calls, tally, i)).ToList();
        var running = new List<Task>();
        foreach (var session in sessions)
        {
            if (!await session.StartAsync(cancellationToken))
            {
                throw new InvalidOperationException($"a session could not start: {string.Join("; ", tally.FailureSamples)}");
            }
            running.Add(session.StreamAsync(stopStreams.Token));
        }
        while (sessions.Any(s => s.PrimedAt is null) && clock.Elapsed < TimeSpan.FromMinutes(1))
        {
            await Task.Delay(20, cancellationToken);
        }
        running.AddRange(sessions.Select(s => s.CallAsync(stopCalls.Token)));
        running.AddRange(Enumerable.Range(0, options.StatelessCallers).Select(_ => new StatelessCaller(calls, tally).RunAsync(stopCalls.Token)));
        var listeners = Enumerable.Range(1, options.Listeners).Select(i => new ListenClient(streams, tally, i)).ToList();
        running.AddRange(listeners.Select(l => l.RunAsync(stopStreams.Token)));
        var tasks = new TaskDriver(calls, tally, options.TaskEvery);
        running.Add(tasks.StartTasksAsync(stopCalls.Token));
        var polling = tasks.PollAsync(stopStreams.Token);
        step($"load through nginx: {options.Sessions} sessions (GET stream, subscription), {options.StatelessCallers} stateless callers, " +
             $"{options.Listeners} listeners, a task every {options.TaskEvery.TotalSeconds:0.#} s");
        await Task.Delay(options.Phase, cancellationToken);

        // Roll out B, then roll back to A: each time the new revision is smoke-tested before it gets traffic, and the old one drained.
        var b = await RolloutAsync(options, work, redis, ingress, calls, tasks, report, step, "rev-b", 1, everything, revisions, cancellationToken);
        step("drain rev-a: SIGTERM");
        report.Drains.Add(await a.DrainAsync());
        step($"rev-a exited {report.Drains[^1].Exited.TotalSeconds:0.00} s after SIGTERM (unready after {report.Drains[^1].Unready.TotalSeconds:0.00} s)");
        await a.DisposeAsync();
        await Task.Delay(options.Phase, cancellationToken);

        await RolloutAsync(options, work, redis, ingress, calls, tasks, report, step, "rev-a", 2, hidden, revisions, cancellationToken);
        step("drain rev-b: SIGTERM (rollback)");
        report.Drains.Add(await b.DrainAsync());
        step($"rev-b exited {report.Drains[^1].Exited.TotalSeconds:0.00} s after SIGTERM (unready after {report.Drains[^1].Unready.TotalSeconds:0.00} s)");
        await b.DisposeAsync();
        await Task.Delay(options.Phase, cancellationToken);

        // Settle: no new calls; every task to its end; the streams catch up with what was logged.
        await stopCalls.CancelAsync();
        step("load stopped; waiting for every task to end");
        var settle = Stopwatch.StartNew();
        while (tasks.Tasks.Any(t => !t.Ended) && settle.Elapsed < options.GracePeriod + TimeSpan.FromSeconds(20))
        {
            await Task.Delay(250, cancellationToken);
        }
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        await stopStreams.CancelAsync();
        await Task.WhenAll(running.Append(polling)).WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        step("streams closed; reading the results through the surviving revision");

        report.CounterAfter = await ReadCounterAsync(calls, cancellationToken);
        await CheckTasksAsync(calls, tally, tasks, report, cancellationToken);
        await CheckStreamsAsync(redis, tally, sessions, listeners, report);
        await CountHandoversAsync(revisions, report);
        report.RequestsSent = tally.Requests;
        report.ClientVisibleFailures = tally.Failures;
        report.FailureSamples.AddRange(tally.FailureSamples);
        report.BumpsAcknowledged = tally.BumpsAcknowledged;
        report.BumpsUnknown = tally.BumpsUnknown;
        foreach (var (revision, count) in tally.AnsweredBy)
        {
            report.AnsweredBy[revision] = count;
        }
        report.Duration = clock.Elapsed;
        return report;
    }

    /// <summary>A new replica of <paramref name="name"/>: started beside the live revision, smoke-tested on its own port, then given every new request.</summary>
    private static async Task<RevisionProcess> RolloutAsync(RehearsalOptions options, string work, RedisProcess redis, NginxIngress ingress, HttpClient calls,
        TaskDriver tasks, RehearsalReport report, Action<string> step, string name, int instance, IReadOnlyDictionary<string, string> settings, List<RevisionProcess> revisions,
        CancellationToken cancellationToken)
    {
        var revision = await RevisionProcess.StartAsync(options, work, name, instance, redis.Url, settings);
        revisions.Add(revision);
        step($"revision {name} (replica {instance}) ready in {revision.StartedIn.TotalSeconds:0.0} s on :{revision.Port}, 0 % of the traffic");
        var smoke = await SmokeAsync(options, work, revision, cancellationToken);
        report.Smokes.Add(($"{name} (replica {instance})", smoke.Passed, smoke.Took));
        report.SmokeBumps += smoke.Passed ? 2 : 0; // the smoke test bumps the counter twice and checks both
        step($"smoke test of {name} on its own port: {(smoke.Passed ? "PASS" : "FAIL")} in {smoke.Took.TotalSeconds:0.0} s");
        if (!smoke.Passed)
        {
            throw new InvalidOperationException($"the smoke test of {name} failed; see {Path.Combine(work, $"smoke-{name}-{instance}.log")}");
        }
        // The last task the outgoing revision takes: the longest, so it is still running at that revision's drain deadline.
        await tasks.StartAsync(TaskDriver.LongestTask, cancellationToken);
        await ingress.RouteToAsync(revision.Port);
        await WaitForRevisionAsync(calls, name, cancellationToken);
        report.ToolSetChanges++;
        step($"promoted {name}: nginx reloaded, new requests answered by {name}; open streams stay where they are");
        await Task.Delay(options.Phase, cancellationToken);
        return revision;
    }

    private static async Task<(bool Passed, TimeSpan Took)> SmokeAsync(RehearsalOptions options, string work, RevisionProcess revision, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var start = new ProcessStartInfo("dotnet", [options.SmokeClientAssembly, "smoke", "--url", revision.Endpoint.ToString()]);
        using var process = Processes.Start(start, Path.Combine(work, $"smoke-{revision.Name}-{revision.Port}.log"));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode == 0, clock.Elapsed);
    }

    /// <summary>nginx reloads in the background: wait until new requests reach <paramref name="name"/>, three times in a row.</summary>
    private static async Task WaitForRevisionAsync(HttpClient calls, string name, CancellationToken cancellationToken)
    {
        var inARow = 0;
        var clock = Stopwatch.StartNew();
        while (inARow < 3)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"nginx did not send requests to {name} after the reload");
            }
            inARow = await ServingRevisionAsync(calls, cancellationToken) == name ? inARow + 1 : 0;
            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>
    /// The revision answering through nginx, or null when the probe's connection failed: while a reload retires the
    /// old workers, a connection one of them had accepted is reset. The probe is not one of the measured clients, so
    /// it asks again (a connection of its own each time) instead of failing the rehearsal.
    /// </summary>
    private static async Task<string?> ServingRevisionAsync(HttpClient calls, CancellationToken cancellationToken)
    {
        using var request = McpWire.Stateless("resources/read", new JsonObject { ["uri"] = "prynai://server-info" }, "prynai://server-info");
        request.Headers.ConnectionClose = true;
        try
        {
            using var response = await calls.SendAsync(request, cancellationToken);
            var text = (await McpWire.ResponseAsync(response, cancellationToken))?["result"]?["contents"]?[0]?["text"]?.GetValue<string>();
            return text is null ? null : JsonNode.Parse(text)?["revision"]?.GetValue<string>();
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private static async Task<long> ReadCounterAsync(HttpClient calls, CancellationToken cancellationToken)
    {
        using var request = McpWire.Stateless("resources/read", new JsonObject { ["uri"] = "prynai://counter" }, "prynai://counter");
        using var response = await calls.SendAsync(request, cancellationToken);
        var text = (await McpWire.ResponseAsync(response, cancellationToken))?["result"]?["contents"]?[0]?["text"]?.GetValue<string>();
        return long.Parse(text ?? throw new InvalidOperationException("prynai://counter could not be read"), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Every task read once more, through the revision that survived: ended, and with the result its call asked for.</summary>
    private static async Task CheckTasksAsync(HttpClient calls, Tally tally, TaskDriver tasks, RehearsalReport report, CancellationToken cancellationToken)
    {
        await tasks.PollOnceAsync(cancellationToken);
        foreach (var task in tasks.Tasks)
        {
            report.TasksStarted++;
            switch (task.Status)
            {
                case "completed":
                    report.TasksCompleted++;
                    if (task.Last?["result"]?["structuredContent"]?["steps"]?.GetValue<int>() != task.Steps)
                    {
                        report.TaskResultsWrong++;
                    }
                    break;
                case "failed" or "cancelled":
                    report.TasksFailed++;
                    report.TaskFailures.Add($"{task.Id}: {task.Status}: {task.Last?["error"]?["message"] ?? task.Last?["statusMessage"]}");
                    break;
                default:
                    report.TasksNotEnded++;
                    break;
            }
        }
        _ = tally;
    }

    /// <summary>The tasks the drained revisions handed over and the others claimed, as their logs say.</summary>
    private static async Task CountHandoversAsync(List<RevisionProcess> revisions, RehearsalReport report)
    {
        foreach (var revision in revisions)
        {
            foreach (var line in await File.ReadAllLinesAsync(revision.LogFile))
            {
                if (HandedOverLine().Match(line) is { Success: true } handedOver)
                {
                    report.TasksHandedOver += int.Parse(handedOver.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                    report.TasksFailedAtDeadline += int.Parse(handedOver.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
                }
                else if (line.Contains("was handed over by a draining replica; its work starts again here", StringComparison.Ordinal))
                {
                    report.TasksClaimed++;
                }
            }
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"(\d+) task\(s\) handed over to another replica, (\d+) failed")]
    private static partial System.Text.RegularExpressions.Regex HandedOverLine();

    /// <summary>
    /// Gaps: every notification the store logged for a session after its stream started must have reached its client
    /// (read back from Redis); and every counter change acknowledged after the stream started must have been heard of.
    /// </summary>
    private static async Task CheckStreamsAsync(RedisProcess redis, Tally tally, List<SessionClient> sessions, List<ListenClient> listeners, RehearsalReport report)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port}");
        var db = connection.GetDatabase();
        report.Sessions = sessions.Count;
        foreach (var session in sessions)
        {
            report.SessionStreamsEndedByDrains += session.StreamsEnded;
            report.SessionStreamsResumed += session.StreamsResumed;
            report.SessionStreamsCutUncleanly += session.UncleanCuts;
            report.ToolsListChangedToSessions += session.ToolsListChanged;
            report.OtherListChangedToSessions += session.OtherListChanged;
            if (session.ToolsListChanged >= report.ToolSetChanges)
            {
                report.SessionsToldOfEveryMove++;
            }
            foreach (var member in await db.SortedSetRangeByRankAsync($"prynai:events:{session.SessionId}"))
            {
                var text = (string)member!;
                var idEnd = text.IndexOf(':', StringComparison.Ordinal);
                var dataStart = text.IndexOf(':', idEnd + 1) + 1;
                var id = long.Parse(text[..idEnd], System.Globalization.CultureInfo.InvariantCulture);
                if (dataStart < text.Length && id > session.FirstId && !session.Received.ContainsKey(id))
                {
                    report.GapsFound++;
                }
            }
            report.UpdatesMissing += Math.Max(0, tally.BumpsSentAfter(session.PrimedAt ?? TimeSpan.Zero) - session.Updates);
        }
        report.Listeners = listeners.Count;
        foreach (var listener in listeners)
        {
            report.ListenStreamsEndedByDrains += listener.Ended;
            report.ListenStreamsReopened += listener.Reopened;
            report.ListenStreamsCutUncleanly += listener.UncleanCuts;
            report.ToolsListChangedToListeners += listener.ToolsListChanged;
            if (listener.ToolsListChanged >= report.ToolSetChanges)
            {
                report.ListenersToldOfEveryMove++;
            }
        }
    }
}

namespace Prynai.Bench;

/// <summary>
/// (c) <c>bump_counter</c> (2026-07-28) with each store: count-based (N wrk threads × one connection × K calls), the
/// counter set to 0 after the warm-up and read back after the run: wrk must have counted N×K responses and the counter
/// must have moved by exactly N×K.
/// </summary>
internal sealed class CounterScenario(Targets targets, LoadMeasurement measure, BenchResults results, TextWriter progress)
{
    private static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(500);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        progress.WriteLine("Prynai bump_counter, SQLite");
        await RunOnAsync("sqlite", new PrynaiMode(), cancellationToken);

        await using var redis = await targets.StartRedisAsync(cancellationToken);
        if (redis is null)
        {
            progress.WriteLine("Prynai bump_counter, Redis: skipped: redis-server not installed");
            results.Counters.Add(new CounterResult("redis", "skipped: redis-server not installed", null, 0, null, null));
            return;
        }
        progress.WriteLine("Prynai bump_counter, Redis");
        await RunOnAsync("redis", new PrynaiMode(RedisConnection: $"127.0.0.1:{redis.Port}"), cancellationToken);
    }

    private async Task RunOnAsync(string store, PrynaiMode mode, CancellationToken cancellationToken)
    {
        await using var server = await targets.StartPrynaiAsync(mode, cancellationToken);
        using var setup = new McpSetupClient(server.McpEndpoint, token: null);
        long? before = null;

        var (run, callsPerThread) = await measure.ForCountAsync(new("c", "Prynai", $"bump_counter, {store}", McpRequests.Stateless), server,
            McpRequests.StatelessBump(null),
            afterWarmUp: async ct =>
            {
                await WaitUntilStillAsync(setup, ct);
                await setup.SetCounterAsync(0, ct);
                before = await setup.ReadCounterAsync(ct);
            },
            cancellationToken);
        var after = await setup.ReadCounterAsync(cancellationToken);

        var counter = new CounterResult(store, null, run, (long)run.Threads * callsPerThread, before, after);
        results.Counters.Add(counter);
        progress.WriteLine($"  counter ({store}): expected {counter.Expected:N0}, got {counter.Got:N0}, exact: {(counter.Exact ? "yes" : "no")}");
        results.CheckErrors(run);
        if (run.Load.Requests != counter.Expected)
        {
            results.Failures.Add($"bump_counter on {store}: wrk counted {run.Load.Requests} responses, expected {run.Threads}×{callsPerThread}");
        }
        if (!counter.Exact)
        {
            results.Failures.Add($"bump_counter on {store}: expected the counter to move by {counter.Expected}, it moved by {counter.Got} ({before} → {after})");
        }
    }

    /// <summary>
    /// Waits until the counter holds still: wrk leaves with warm-up calls in flight, and the server still completes
    /// them (a slow store queues them), so they would land inside the measured count.
    /// </summary>
    private static async Task WaitUntilStillAsync(McpSetupClient setup, CancellationToken cancellationToken)
    {
        var last = await setup.ReadCounterAsync(cancellationToken);
        for (var attempt = 0; attempt < 60; attempt++)
        {
            await Task.Delay(QuietPeriod, cancellationToken);
            var now = await setup.ReadCounterAsync(cancellationToken);
            if (now == last)
            {
                return;
            }
            last = now;
        }
    }
}

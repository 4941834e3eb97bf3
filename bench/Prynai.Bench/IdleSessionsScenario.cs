namespace Prynai.Bench;

/// <summary>
/// (e) Memory of idle 2025-11-25 sessions: a fresh Prynai's RSS after a settle, then again after opening the sessions
/// (bounded concurrency) and another settle, and once more after they have parked (left memory, records kept in the
/// store; Mcp:SessionParkAfter, shortened here to fit the time budget). Then a sample of parked sessions is woken with
/// one call each, which restores them. A few sessions are opened first so start-up work (JIT, pools) is not counted.
/// </summary>
internal sealed class IdleSessionsScenario(Targets targets, BenchResults results, BenchSettings settings, TextWriter progress)
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The server's default is a minute; 20 s keeps the whole benchmark within its five minutes while still leaving
    /// the opening (about 15 s for 10,000) done before the first session parks, so the two figures stay apart.
    /// </summary>
    private static readonly TimeSpan ParkAfter = TimeSpan.FromSeconds(20);

    private const int WakeSample = 1_000;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        progress.WriteLine($"Prynai, {settings.IdleSessions:N0} idle sessions");
        var parkAfter = settings.Smoke ? TimeSpan.FromSeconds(2) : ParkAfter;
        await using var server = await targets.StartPrynaiAsync(new PrynaiMode(SessionParkAfter: parkAfter), cancellationToken);
        using var setup = new McpSetupClient(server.McpEndpoint, token: null);
        await setup.OpenSessionsAsync(BenchSettings.OpenParallelism, BenchSettings.OpenParallelism, cancellationToken);

        await Task.Delay(Settle, cancellationToken);
        var before = server.Sample();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (sessions, failed, firstError) = await setup.OpenSessionsAsync(settings.IdleSessions, BenchSettings.OpenParallelism, cancellationToken);
        var openSeconds = clock.Elapsed.TotalSeconds;
        await Task.Delay(Settle, cancellationToken);
        var after = server.Sample();

        // Parking runs every half park-after; the sweep then asks for a background collection.
        await Task.Delay(parkAfter * 2 + Settle * 2, cancellationToken);
        var parked = server.Sample();
        var wake = sessions.Take(Math.Min(WakeSample, sessions.Count)).ToList();
        var (wakeSeconds, wakeFailed) = await setup.CallAddOnEachAsync(wake, BenchSettings.OpenParallelism, cancellationToken);

        var result = new IdleSessionsResult(settings.IdleSessions, sessions.Count, failed, firstError, openSeconds, before.RssMb, after.RssMb)
        {
            ParkAfterSeconds = parkAfter.TotalSeconds,
            RssParkedMb = parked.RssMb,
            Woken = wake.Count,
            WakeSeconds = wakeSeconds,
            WakeFailed = wakeFailed,
        };
        results.IdleSessions = result;
        progress.WriteLine($"  {result.Opened:N0} sessions in {result.OpenSeconds:0.0} s ({result.SessionsPerSecond:N0}/s): " +
            $"RSS {result.RssBeforeMb:0} → {result.RssAfterMb:0} MB, {result.KbPerSession:0.0} KB per session; " +
            $"parked: {result.RssParkedMb:0} MB; {result.Woken:N0} woken in {result.WakeSeconds:0.00} s ({wakeFailed} failed)");
        if (wakeFailed > 0)
        {
            results.Failures.Add($"e idle sessions: {wakeFailed} of {wake.Count} parked sessions did not answer after waking");
        }
        if (failed > 0)
        {
            server.EnsureRunning();
            results.Failures.Add($"e idle sessions: {failed} of {settings.IdleSessions} did not open ({firstError})");
        }
    }
}

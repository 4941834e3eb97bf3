namespace Prynai.Bench;

/// <summary>
/// (e) Memory of idle 2025-11-25 sessions: a fresh Prynai's RSS after a settle, then again after opening the sessions
/// (bounded concurrency) and another settle. A few sessions are opened first so start-up work (JIT, pools) is not
/// counted as session memory.
/// </summary>
internal sealed class IdleSessionsScenario(Targets targets, BenchResults results, BenchSettings settings, TextWriter progress)
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        progress.WriteLine($"Prynai, {settings.IdleSessions:N0} idle sessions");
        await using var server = await targets.StartPrynaiAsync(new PrynaiMode(), cancellationToken);
        using var setup = new McpSetupClient(server.McpEndpoint, token: null);
        await setup.OpenSessionsAsync(BenchSettings.OpenParallelism, BenchSettings.OpenParallelism, cancellationToken);

        await Task.Delay(Settle, cancellationToken);
        var before = server.Sample();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (sessions, failed, firstError) = await setup.OpenSessionsAsync(settings.IdleSessions, BenchSettings.OpenParallelism, cancellationToken);
        var openSeconds = clock.Elapsed.TotalSeconds;
        await Task.Delay(Settle, cancellationToken);
        var after = server.Sample();

        var result = new IdleSessionsResult(settings.IdleSessions, sessions.Count, failed, firstError, openSeconds, before.RssMb, after.RssMb);
        results.IdleSessions = result;
        progress.WriteLine($"  {result.Opened:N0} sessions in {result.OpenSeconds:0.0} s ({result.SessionsPerSecond:N0}/s): " +
            $"RSS {result.RssBeforeMb:0} → {result.RssAfterMb:0} MB, {result.KbPerSession:0.0} KB per session");
        if (failed > 0)
        {
            server.EnsureRunning();
            results.Failures.Add($"e idle sessions: {failed} of {settings.IdleSessions} did not open ({firstError})");
        }
    }
}

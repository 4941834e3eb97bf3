namespace Prynai.Bench;

/// <summary>
/// Measures one server under one load: a warm-up with the same load (not counted), then the measured wrk run,
/// sampling the server's CPU time and RSS just before and just after it.
/// </summary>
internal sealed class LoadMeasurement(WrkRunner wrk, BenchSettings settings, TextWriter progress)
{
    private const int MinCallsPerThread = 10;
    private const int MaxCallsPerThread = 5_000;

    public async Task<RunResult> ForDurationAsync(RunLabel label, ServerProcess server, LoadRequest request, CancellationToken cancellationToken)
    {
        await WarmUpAsync(server, request, cancellationToken);
        var before = server.Sample();
        var load = await wrk.RunForAsync(server.McpEndpoint, request, settings.Threads, settings.Connections, settings.DurationSeconds, cancellationToken);
        var after = server.Sample();
        return Report(new RunResult(label, Math.Min(settings.Threads, settings.Connections), settings.Connections, load,
            CpuPerCall(before, after, load), before.RssMb, after.RssMb));
    }

    /// <summary>
    /// Count-based: one connection per wrk thread (as many threads as connections), each stopping after K responses.
    /// K is sized from the warm-up's throughput so the run takes about the measured duration, whatever the store.
    /// </summary>
    public async Task<(RunResult Run, int CallsPerThread)> ForCountAsync(
        RunLabel label, ServerProcess server, LoadRequest request, Func<CancellationToken, Task> afterWarmUp, CancellationToken cancellationToken)
    {
        var warmUp = await WarmUpAsync(server, request, cancellationToken);
        await afterWarmUp(cancellationToken);
        var threads = settings.Connections;
        var callsPerThread = Math.Clamp((int)(warmUp.RequestsPerSecond * settings.DurationSeconds / threads), MinCallsPerThread, MaxCallsPerThread);
        var before = server.Sample();
        var load = await wrk.RunCountAsync(server.McpEndpoint, request, threads, callsPerThread, TimeSpan.FromMinutes(2), cancellationToken);
        var after = server.Sample();
        return (Report(new RunResult(label, threads, threads, load, CpuPerCall(before, after, load), before.RssMb, after.RssMb)), callsPerThread);
    }

    /// <summary>Load that is not measured at all, to bring a freshly started server to its steady state.</summary>
    public Task PrimeAsync(ServerProcess server, LoadRequest request, CancellationToken cancellationToken) =>
        wrk.RunForAsync(server.McpEndpoint, request, settings.Threads, settings.Connections, settings.Smoke ? 1 : 8, cancellationToken);

    private async Task<WrkResult> WarmUpAsync(ServerProcess server, LoadRequest request, CancellationToken cancellationToken)
    {
        var warmUp = await wrk.RunForAsync(server.McpEndpoint, request, settings.Threads, settings.Connections, settings.WarmupSeconds, cancellationToken);
        server.EnsureRunning();
        return warmUp;
    }

    private static double? CpuPerCall(ProcessSample before, ProcessSample after, WrkResult load) =>
        load.Valid > 0 ? (after.CpuMs - before.CpuMs) / load.Valid : null;

    private RunResult Report(RunResult run)
    {
        progress.WriteLine($"  {run.Name}: {run.Load.RequestsPerSecond:N0} req/s, p50 {run.Load.P50Ms:0.00} ms, p99 {run.Load.P99Ms:0.00} ms, " +
            $"{run.Load.Errors} errors, {run.CpuMsPerCall:0.000} CPU ms/call");
        return run;
    }
}

namespace Prynai.Bench;

/// <summary>
/// (f, opt-in) The long run: Prynai under the stateless add load for <c>--soak-seconds</c>, measured in 30-second
/// stretches, with the server's RSS after each — flat memory means nothing accumulates per call.
/// </summary>
internal sealed class SoakScenario(Targets targets, WrkRunner wrk, BenchResults results, BenchSettings settings, TextWriter progress)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var stretch = settings.Smoke ? 1 : 30;
        progress.WriteLine($"Prynai, soak: {settings.SoakSeconds} s of stateless add, RSS every {stretch} s");
        await using var server = await targets.StartPrynaiAsync(new PrynaiMode(), cancellationToken);
        var request = McpRequests.StatelessAdd(token: null);
        await wrk.RunForAsync(server.McpEndpoint, request, settings.Threads, settings.Connections, settings.WarmupSeconds, cancellationToken);

        var samples = new List<SoakSample> { new(0, 0, server.Sample().RssMb) };
        long requests = 0, errors = 0;
        for (var elapsed = 0; elapsed < settings.SoakSeconds; elapsed += stretch)
        {
            var run = await wrk.RunForAsync(server.McpEndpoint, request, settings.Threads, settings.Connections, stretch, cancellationToken);
            requests += run.Valid;
            errors += run.Errors;
            var sample = new SoakSample(elapsed + stretch, run.RequestsPerSecond, server.Sample().RssMb);
            samples.Add(sample);
            progress.WriteLine($"  {sample.Seconds,4:0} s: {sample.RequestsPerSecond:N0} req/s, RSS {sample.RssMb:0.0} MB");
        }

        results.Soak = new SoakResult(samples, requests, errors);
        if (errors > 0)
        {
            results.Failures.Add($"f soak: {errors} errors");
        }
    }
}

using System.Diagnostics;

namespace Prynai.Bench;

/// <summary>
/// One benchmark run: checks the prerequisites, runs the selected scenarios in order (each starts and stops its own
/// servers), then prints the table with the targets and writes the JSON (and the chart when asked). Exit code 1 when
/// any run had errors or a counter was off; never because of a timing or a missed target.
/// </summary>
internal sealed class BenchRun(BenchSettings settings, TextWriter output)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        if (settings.Paths.Missing(settings.Runs(Scenario.ColdStart)) is { Count: > 0 } missing)
        {
            await Console.Error.WriteLineAsync("Missing (run bench/run.sh, which builds and installs them):\n  " + string.Join("\n  ", missing));
            return 2;
        }
        if (WrkRunner.Version() is null)
        {
            await Console.Error.WriteLineAsync("wrk is not installed (bench/run.sh installs it: apt-get install -y wrk).");
            return 2;
        }

        var clock = Stopwatch.StartNew();
        var results = new BenchResults
        {
            Settings = new BenchSettingsSummary(
                settings.Smoke, settings.Threads, settings.Connections, settings.DurationSeconds, settings.WarmupSeconds,
                settings.IdleSessions, settings.SoakSeconds, settings.ColdStarts, settings.Scenarios.Order().ToList()),
        };
        results.Machine = await MachineInfo.CollectAsync(cancellationToken);
        PrintHeader(results.Machine);

        var wrk = new WrkRunner(settings.Paths.LuaScript);
        var measure = new LoadMeasurement(wrk, settings, output);
        var targets = new Targets(settings.Paths);
        TestOidcIssuer? issuer = null;
        SignInIssuer? signIn = null;
        try
        {
            // First, on a machine no load scenario has heated yet: it takes seconds and starts nothing that stays.
            if (settings.Runs(Scenario.ColdStart))
            {
                await RunScenarioAsync(results, "g cold start", new ColdStartScenario(settings.Paths, results, settings, output).RunAsync, cancellationToken);
            }
            if (settings.Runs(Scenario.Stateless) || settings.Runs(Scenario.Sessions))
            {
                var add = new AddScenarios(targets, measure, results, settings, output);
                await RunScenarioAsync(results, "a/b Prynai add", ct => add.RunPrynaiAsync(async _ => issuer ??= await TestOidcIssuer.StartAsync(), ct), cancellationToken);
                await RunScenarioAsync(results, "a Prynai add, sign-in on", ct => add.RunSignInAsync(async c => signIn ??= await SignInIssuer.StartAsync(c), ct), cancellationToken);
            }
            if (settings.Runs(Scenario.Counter))
            {
                await RunScenarioAsync(results, "c bump_counter", new CounterScenario(targets, measure, results, output).RunAsync, cancellationToken);
            }
            if (settings.Runs(Scenario.References))
            {
                await RunScenarioAsync(results, "d references", new AddScenarios(targets, measure, results, settings, output).RunReferencesAsync, cancellationToken);
            }
            if (settings.Runs(Scenario.IdleSessions))
            {
                await RunScenarioAsync(results, "e idle sessions", new IdleSessionsScenario(targets, results, settings, output).RunAsync, cancellationToken);
            }
            if (settings.Runs(Scenario.Soak))
            {
                await RunScenarioAsync(results, "f soak", new SoakScenario(targets, wrk, results, settings, output).RunAsync, cancellationToken);
            }
        }
        finally
        {
            if (signIn is not null)
            {
                await signIn.DisposeAsync();
            }
            if (issuer is not null)
            {
                await issuer.DisposeAsync();
            }
        }

        results.Ratios.AddRange(AddScenarios.Ratios(results).Where(r => r.Value is not null || settings.Runs(Scenario.References)));
        results.Targets.AddRange(TargetChecks.Evaluate(results));
        results.ElapsedSeconds = Math.Round(clock.Elapsed.TotalSeconds, 1);
        Report.WriteTable(results, output);
        await Report.WriteJsonAsync(results, settings.OutputPath, cancellationToken);
        output.WriteLine($"Results: {settings.OutputPath}");
        if (settings.ChartPath is { } chart)
        {
            await RatioChart.WriteAsync(results, chart, cancellationToken);
            output.WriteLine($"Chart: {chart}");
        }
        return results.Failures.Count == 0 ? 0 : 1;
    }

    /// <summary>A scenario that cannot run (a server that does not start, a refused setup call) fails alone; the others still run.</summary>
    private async Task RunScenarioAsync(BenchResults results, string name, Func<CancellationToken, Task> scenario, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            await scenario(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            results.Failures.Add($"{name}: could not run: {ex.Message}");
            output.WriteLine($"  {name}: could not run: {ex.Message}");
        }
        output.WriteLine($"  ({name}: {clock.Elapsed.TotalSeconds:0} s)");
    }

    private void PrintHeader(MachineInfo machine)
    {
        output.WriteLine($"Prynai benchmark{(settings.Smoke ? " (smoke)" : "")}: wrk -t{Math.Min(settings.Threads, settings.Connections)} -c{settings.Connections} " +
            $"-d{settings.DurationSeconds}s after a {settings.WarmupSeconds} s warm-up; scenarios {string.Join(",", settings.Scenarios.Order())}");
        output.WriteLine($"{machine.Cores} cores, {machine.CpuModel}; {machine.DotNet}; node {machine.Node}; {machine.Wrk}; {machine.Redis ?? "no redis-server"}");
        output.WriteLine($"Machine busy before start: {machine.BusyPercentBeforeStart:0}% (load average {machine.LoadAverageBeforeStart})");
        if (machine.BusyPercentBeforeStart > 10)
        {
            output.WriteLine("WARNING: something else is using the CPU; the numbers will be lower and noisier than on an idle machine.");
        }
    }
}

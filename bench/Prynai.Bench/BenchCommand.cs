using System.CommandLine;

namespace Prynai.Bench;

/// <summary>The command line of bench/run.sh (which passes its arguments here).</summary>
internal static class BenchCommand
{
    public static RootCommand Create()
    {
        var smoke = new Option<bool>("--smoke") { Description = "A few seconds per scenario, small counts: checks the benchmark still works (CI)." };
        var duration = new Option<int?>("--duration") { Description = "Seconds of each measured wrk run (default 10; smoke 1). A warm-up of the same load runs first." };
        var connections = new Option<int>("--connections") { Description = "wrk connections (-c) for every target; the counter run uses as many threads.", DefaultValueFactory = _ => 32 };
        var threads = new Option<int>("--threads") { Description = "wrk threads (-t) of the timed runs.", DefaultValueFactory = _ => 2 };
        var soakSeconds = new Option<int>("--soak-seconds") { Description = "Length of the soak (f, run with --only f): stateless add under load, RSS sampled every 30 s.", DefaultValueFactory = _ => 300 };
        var output = new Option<string?>("--out") { Description = "The JSON results file (default bench/results/<timestamp>.json)." };
        var chart = new Option<string?>("--chart")
        {
            Description = "Also draw the targets chart (SVG) from the results, to this file (without a path: docs/images/bench-ratios.svg).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var only = new Option<string?>("--only")
        {
            Description = "Scenarios to run, comma-separated: a|stateless, b|sessions, c|counter, d|references, e|idle, f|soak, g|coldstart (default: all but f).",
        };
        only.Validators.Add(result =>
        {
            if (BenchSettings.ParseScenarios(result.GetValueOrDefault<string?>()).Unknown is { } unknown)
            {
                result.AddError($"Unknown scenario '{unknown}'; use a–g or {string.Join(", ", BenchSettings.ScenarioNames.Keys.Where(k => k.Length > 1))}.");
            }
        });
        foreach (var option in new[] { connections, threads })
        {
            option.Validators.Add(result =>
            {
                if (result.GetValueOrDefault<int>() < 1)
                {
                    result.AddError($"{option.Name} must be at least 1.");
                }
            });
        }
        duration.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 1)
            {
                result.AddError("--duration must be at least 1 second.");
            }
        });

        var command = new RootCommand("Prynai benchmark: MCP tools/call throughput, latency, CPU and memory against reference servers (run it through bench/run.sh).")
        {
            smoke, duration, connections, threads, soakSeconds, output, chart, only, ChartCommand(),
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var isSmoke = parse.GetValue(smoke);
            var paths = BenchPaths.Find();
            var settings = new BenchSettings(
                Smoke: isSmoke,
                Threads: parse.GetValue(threads),
                Connections: parse.GetValue(connections),
                DurationSeconds: parse.GetValue(duration) ?? (isSmoke ? 1 : 10),
                WarmupSeconds: isSmoke ? 1 : 4,
                IdleSessions: isSmoke ? 200 : 10_000,
                SoakSeconds: isSmoke ? 4 : parse.GetValue(soakSeconds),
                ColdStarts: isSmoke ? 1 : 7,
                Scenarios: BenchSettings.ParseScenarios(parse.GetValue(only)).Scenarios!,
                OutputPath: parse.GetValue(output) ?? Path.Combine(paths.ResultsDirectory, $"{DateTime.Now:yyyyMMdd-HHmmss}.json"),
                ChartPath: parse.GetResult(chart) is null ? null : parse.GetValue(chart) ?? paths.DefaultChart,
                Paths: paths);
            return await new BenchRun(settings, Console.Out).RunAsync(cancellationToken);
        });
        return command;
    }

    /// <summary><c>chart RESULTS.json OUT.svg</c>: the chart of a results file already written, running nothing.</summary>
    private static Command ChartCommand()
    {
        var resultsFile = new Argument<FileInfo>("results") { Description = "A results JSON file of bench/run.sh (bench/results/<timestamp>.json)." };
        resultsFile.AcceptExistingOnly();
        var chartFile = new Argument<string>("svg") { Description = "The SVG file to write." };
        var command = new Command("chart", "Draws the targets chart (SVG) from a results file; ratios and targets are evaluated again from its measurements.")
        {
            resultsFile, chartFile,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var results = await Report.ReadJsonAsync(parse.GetValue(resultsFile)!.FullName, cancellationToken);
            var path = parse.GetValue(chartFile)!;
            await RatioChart.WriteAsync(results, path, cancellationToken);
            Console.WriteLine($"Chart: {path} ({results.Targets.Count(target => target.Status == TargetStatus.Met)} of {results.Targets.Count} targets met)");
            return 0;
        });
        return command;
    }
}

using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Prynai.Bench;

/// <summary>The results as a fixed-width table on the console and as a JSON file.</summary>
internal static class Report
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    };

    public static void WriteTable(BenchResults results, TextWriter output)
    {
        output.WriteLine();
        if (results.Runs.Count > 0)
        {
            var rows = results.Runs.Select(run => new[]
            {
                run.Scenario, run.Target, run.Case, run.Protocol, run.Target == AddScenarios.Prynai ? run.Auth ? "on" : "off" : "-",
                Number(run.Load.RequestsPerSecond), Ms(run.Load.P50Ms), Ms(run.Load.P99Ms), Errors(run.Load),
                run.CpuMsPerCall?.ToString("0.000", CultureInfo.InvariantCulture) ?? "-", Rss(run),
            });
            WriteColumns(output, ["", "target", "case", "protocol", "auth", "req/s", "p50 ms", "p99 ms", "errors", "CPU ms/call", "RSS MB before→after"], rows, textColumns: 5);
        }

        if (results.Counters.Count > 0)
        {
            output.WriteLine();
            var rows = results.Counters.Select(counter => counter.Run is not { } run
                ? ["c", counter.Store, counter.Skipped ?? "-", "", "", "", "", "", "", "", ""]
                : new[]
                {
                    "c", counter.Store, $"{run.Threads}×{counter.Expected / Math.Max(1, run.Threads)}", Number(counter.Expected),
                    counter.Got is { } got ? Number(got) : "-", counter.Exact ? "yes" : "NO",
                    Number(run.Load.RequestsPerSecond), Ms(run.Load.P50Ms), Ms(run.Load.P99Ms), Errors(run.Load),
                    run.CpuMsPerCall?.ToString("0.000", CultureInfo.InvariantCulture) ?? "-",
                });
            WriteColumns(output, ["", "bump_counter", "threads×calls", "expected", "got", "exact", "calls/s", "p50 ms", "p99 ms", "errors", "CPU ms/call"], rows, textColumns: 3);
        }

        if (results.IdleSessions is { } idle)
        {
            output.WriteLine();
            output.WriteLine($"e  {idle.Opened:N0} idle sessions ({idle.Failed} failed) opened in {idle.OpenSeconds:0.0} s ({idle.SessionsPerSecond:N0}/s): " +
                $"RSS {idle.RssBeforeMb:0} → {idle.RssAfterMb:0} MB (+{idle.TotalMb:0} MB), {idle.KbPerSession:0.0} KB per session in memory");
            output.WriteLine($"   parked after {idle.ParkAfterSeconds:0} s idle: RSS {idle.RssParkedMb:0} MB ({idle.ParkedKbPerSession:0.0} KB per session); " +
                $"{idle.Woken:N0} woken by a call each in {idle.WakeSeconds:0.00} s, {idle.WakeMsPerSession:0.0} ms per call at {BenchSettings.OpenParallelism} in flight, {idle.WakeFailed} failed");
        }

        if (results.Soak is { } soak)
        {
            output.WriteLine();
            output.WriteLine($"f  soak, stateless add: {soak.Requests:N0} calls, {soak.Errors} errors; RSS drift {soak.DriftMb:+0.0;-0.0;0} MB (max {soak.MaxRssMb:0} MB)");
            output.WriteLine("   " + string.Join("  ", soak.Samples.Select(sample => $"{sample.Seconds:0}s:{sample.RssMb:0}MB/{sample.RequestsPerSecond:N0}/s")));
        }

        if (results.ColdStarts.Count > 0)
        {
            WriteColdStarts(results.ColdStarts, output);
        }

        if (results.Ratios.Count > 0)
        {
            output.WriteLine();
            foreach (var ratio in results.Ratios)
            {
                var value = ratio.Value is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) + "×" : "n/a";
                output.WriteLine($"{ratio.Name,-32} {value,8}   ({ratio.Numerator}  ÷  {ratio.Denominator})");
            }
        }

        if (results.Targets.Count > 0)
        {
            WriteTargets(results, output);
        }

        output.WriteLine();
        if (results.Failures.Count == 0)
        {
            output.WriteLine($"No errors. {results.ElapsedSeconds:0} s.");
        }
        else
        {
            output.WriteLine($"FAILED ({results.Failures.Count}):");
            foreach (var failure in results.Failures)
            {
                output.WriteLine("  " + failure);
            }
        }
    }

    private static void WriteColdStarts(IReadOnlyList<ColdStartResult> starts, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine($"g  published server, process start → first /healthz 200 (median of {starts.Max(start => start.StartMs.Count)} starts each):");
        var rows = starts.Select(start => new[]
        {
            "", start.Variant, start.StateKept ? "kept" : "fresh", Number(start.MedianMs), Number(start.MinMs), Number(start.MaxMs),
            start.SupportAnswerMs is { Count: > 0 } ? Number(start.MedianSupportAnswerMs) : "-",
            start.MedianRssMb.ToString("0", CultureInfo.InvariantCulture), start.PublishMb.ToString("0.0", CultureInfo.InvariantCulture),
            $"{start.ReadyToRunAssemblies}/{start.Assemblies}",
        });
        WriteColumns(output, ["", "publish", "state", "median ms", "min ms", "max ms", "support answer ms", "RSS MB", "publish MB", "R2R assemblies"], rows, textColumns: 3);
        if (starts.FirstOrDefault(start => start.ReadyToRun) is { } shipped)
        {
            output.WriteLine($"   container image = base aspnet:10.0 image + this {shipped.PublishMb:0.0} MB ReadyToRun publish (no image can be built or pulled here)");
        }
    }

    private static void WriteTargets(BenchResults results, TextWriter output)
    {
        output.WriteLine();
        if (results.Settings is { Smoke: true })
        {
            // A smoke run checks that every scenario runs; its one-second figures judge nothing, so no MET / NOT MET.
            output.WriteLine($"Targets (issue 16): {results.Targets.Count} not judged in a smoke run (about a second per scenario); " +
                "bench/run.sh without --smoke measures them.");
            return;
        }
        var met = results.Targets.Count(target => target.Status == TargetStatus.Met);
        var notRun = results.Targets.Count(target => target.Status == TargetStatus.NotRun);
        output.WriteLine($"Targets (issue 16): {met} of {results.Targets.Count - notRun} measured met, {notRun} not run");
        var rows = results.Targets.Select(target => new[]
        {
            target.Name, target.Goal, target.Measured,
            target.Status switch { TargetStatus.Met => "MET", TargetStatus.NotMet => "NOT MET", _ => "not run" },
            target.Note ?? "",
        });
        WriteColumns(output, ["target", "goal", "measured", "", "note"], rows, column => column is 0 or >= 3);
    }

    /// <summary>A results file back, with its ratios and targets evaluated again from its measurements (by this version's rules).</summary>
    public static async Task<BenchResults> ReadJsonAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(path);
        var results = await JsonSerializer.DeserializeAsync<BenchResults>(file, Json, cancellationToken)
            ?? throw new InvalidDataException($"{path} holds no results.");
        results.Ratios.Clear();
        results.Ratios.AddRange(AddScenarios.Ratios(results));
        results.Targets.Clear();
        results.Targets.AddRange(TargetChecks.Evaluate(results));
        return results;
    }

    public static async Task WriteJsonAsync(BenchResults results, string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, results, Json, cancellationToken);
    }

    /// <summary>The first <paramref name="textColumns"/> columns left-aligned, the numbers after them right-aligned.</summary>
    private static void WriteColumns(TextWriter output, string[] header, IEnumerable<string[]> rows, int textColumns) =>
        WriteColumns(output, header, rows, column => column < textColumns);

    private static void WriteColumns(TextWriter output, string[] header, IEnumerable<string[]> rows, Func<int, bool> isText)
    {
        var all = rows.Prepend(header).ToList();
        var widths = Enumerable.Range(0, header.Length).Select(i => all.Max(row => row[i].Length)).ToArray();
        foreach (var row in all)
        {
            var cells = row.Select((cell, i) => isText(i) ? cell.PadRight(widths[i]) : cell.PadLeft(widths[i]));
            output.WriteLine(string.Join("  ", cells).TrimEnd());
        }
    }

    private static string Number(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Ms(double value) => value.ToString(value < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture);

    private static string Errors(WrkResult load) => load.Errors == 0 ? "0" : $"{load.Errors} ERR";

    private static string Rss(RunResult run) => $"{run.RssBeforeMb:0} → {run.RssAfterMb:0}";
}

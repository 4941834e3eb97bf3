namespace Prynai.Bench;

/// <summary>Which measurement a run is: scenario letter, target, case (stateless or sessions), protocol, authentication.</summary>
internal sealed record RunLabel(string Scenario, string Target, string Case, string Protocol, bool Auth = false);

/// <summary>One measured wrk run against one server, with the server's CPU and memory over it.</summary>
internal sealed record RunResult(
    string Scenario, string Target, string Case, string Protocol, bool Auth, int Threads, int Connections, WrkResult Load,
    double? CpuMsPerCall, double RssBeforeMb, double RssAfterMb)
{
    internal RunResult(RunLabel label, int threads, int connections, WrkResult load, double? cpuMsPerCall, double rssBeforeMb, double rssAfterMb)
        : this(label.Scenario, label.Target, label.Case, label.Protocol, label.Auth, threads, connections, load, cpuMsPerCall, rssBeforeMb, rssAfterMb)
    {
    }

    public string Name => $"{Scenario} {Target}, {Case}" + (Target.StartsWith("Prynai", StringComparison.Ordinal) ? Auth ? ", auth on" : ", auth off" : "");
}

/// <summary>bump_counter against one store: the count-based run and whether the counter moved by exactly its calls.</summary>
internal sealed record CounterResult(string Store, string? Skipped, RunResult? Run, long Expected, long? Before, long? After)
{
    public long? Got => After - Before;

    public bool Exact => Skipped is null && Got == Expected;
}

/// <summary>Memory of many idle 2025-11-25 sessions on one Prynai process.</summary>
internal sealed record IdleSessionsResult(
    int Requested, int Opened, int Failed, string? FirstError, double OpenSeconds, double RssBeforeMb, double RssAfterMb)
{
    /// <summary>The server's session park-after setting during this scenario, in seconds.</summary>
    public double ParkAfterSeconds { get; init; }

    /// <summary>RSS once the idle sessions have parked (left memory for the store).</summary>
    public double RssParkedMb { get; init; }

    /// <summary>Parked sessions woken by one call each: how many, in how long, how many failed.</summary>
    public int Woken { get; init; }

    public double WakeSeconds { get; init; }

    public int WakeFailed { get; init; }

    public double WakeMsPerSession => Woken > 0 ? WakeSeconds * 1000 * BenchSettings.OpenParallelism / Woken : 0;

    public double ParkedKbPerSession => Opened > 0 ? (RssParkedMb - RssBeforeMb) * 1024 / Opened : 0;

    public double SessionsPerSecond => OpenSeconds > 0 ? Opened / OpenSeconds : 0;

    public double TotalMb => RssAfterMb - RssBeforeMb;

    public double KbPerSession => Opened > 0 ? TotalMb * 1024 / Opened : 0;
}

/// <summary>(g) Starts of one publish of the server: process start → first /healthz 200 each, and its RSS then.</summary>
internal sealed record ColdStartResult(
    string Variant, bool ReadyToRun, bool StateKept, double PublishMb, int Assemblies, int ReadyToRunAssemblies,
    IReadOnlyList<double> StartMs, IReadOnlyList<double> RssMb, IReadOnlyList<double>? SupportAnswerMs = null)
{
    public double MedianMs => Median(StartMs);

    /// <summary>Process start → the first answer of a support-desk tool, asked right after /healthz said 200 (results of older runs have none).</summary>
    public double MedianSupportAnswerMs => Median(SupportAnswerMs ?? []);

    public double MinMs => StartMs.Count > 0 ? StartMs.Min() : 0;

    public double MaxMs => StartMs.Count > 0 ? StartMs.Max() : 0;

    public double MedianRssMb => Median(RssMb);

    private static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return 0;
        }
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}

/// <summary>Prynai's throughput over a reference's, measured in the same run under the same load.</summary>
internal sealed record Ratio(string Name, string Numerator, string Denominator, double? Value);

/// <summary>The settings a run was made with, as the results file records them.</summary>
internal sealed record BenchSettingsSummary(
    bool Smoke, int Threads, int Connections, int DurationSeconds, int WarmupSeconds, int IdleSessions, int SoakSeconds, int ColdStarts,
    IReadOnlyList<Scenario> Scenarios);

/// <summary>Everything one benchmark run measured; the JSON file is this, serialized (and read back for the chart).</summary>
[System.Text.Json.Serialization.JsonObjectCreationHandling(System.Text.Json.Serialization.JsonObjectCreationHandling.Populate)]
internal sealed class BenchResults
{
    public DateTimeOffset Started { get; init; } = DateTimeOffset.Now;

    public double ElapsedSeconds { get; set; }

    public MachineInfo? Machine { get; set; }

    public BenchSettingsSummary? Settings { get; set; }

    public List<RunResult> Runs { get; } = [];

    public List<CounterResult> Counters { get; } = [];

    public IdleSessionsResult? IdleSessions { get; set; }

    public SoakResult? Soak { get; set; }

    public List<ColdStartResult> ColdStarts { get; } = [];

    public List<Ratio> Ratios { get; } = [];

    /// <summary>Issue 16's targets against this run's figures.</summary>
    public List<TargetCheck> Targets { get; } = [];

    /// <summary>Runs with errors, inexact counters, scenarios that could not run: any of these makes the exit code 1.</summary>
    public List<string> Failures { get; } = [];

    public RunResult Add(RunResult run)
    {
        Runs.Add(run);
        CheckErrors(run);
        return run;
    }

    /// <summary>A run with errors is a failure of the benchmark (never a slow one).</summary>
    public void CheckErrors(RunResult run)
    {
        if (run.Load.Errors > 0)
        {
            Failures.Add($"{run.Name}: {run.Load.Errors} errors" + (run.Load.FirstInvalid is { } first ? $" (first: {OneLine(first)})" : ""));
        }
    }

    private static string OneLine(string text) => text.Trim().ReplaceLineEndings("\\n");

    public RunResult? Find(string scenario, string target, string @case, bool auth = false) =>
        Runs.FirstOrDefault(r => r.Scenario == scenario && r.Target == target && r.Case == @case && r.Auth == auth);
}

/// <summary>(f) One point of the soak: when, throughput since the previous point, and the server's memory then.</summary>
internal sealed record SoakSample(double Seconds, double RequestsPerSecond, double RssMb);

internal sealed record SoakResult(IReadOnlyList<SoakSample> Samples, long Requests, long Errors)
{
    /// <summary>RSS change from the first sample (after warm-up) to the last.</summary>
    public double DriftMb => Samples.Count > 1 ? Samples[^1].RssMb - Samples[0].RssMb : 0;

    public double MaxRssMb => Samples.Count > 0 ? Samples.Max(sample => sample.RssMb) : 0;
}

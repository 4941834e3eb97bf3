using System.Globalization;

namespace Prynai.Bench;

internal enum TargetStatus
{
    Met,
    NotMet,
    NotRun,
}

/// <summary>
/// One of issue 16's targets against a run: the figure measured (null when its scenario did not run), the goal it is
/// held to, whether it meets it, and which measurements it comes from.
/// </summary>
internal sealed record TargetCheck(string Name, string Unit, double Threshold, bool AtMost, double? Value, TargetStatus Status, string Source, string? Note)
{
    public string Goal => $"{(AtMost ? "≤" : "≥")} {TargetChecks.Number(Threshold, Unit, goal: true)}";

    public string Measured => Value is { } value ? TargetChecks.Number(value, Unit, goal: false) : "-";
}

/// <summary>
/// Issue 16's targets, evaluated from a run's results alone (so a results file written before the targets existed can
/// be evaluated, and charted, again). p99 targets are the auth-off runs at 32 connections; "flat" RSS over the soak
/// means the last sample at most 5 % above the first (taken after the warm-up); the cold start is the ReadyToRun
/// publish's median on fresh state, as a new container replica starts.
/// </summary>
internal static class TargetChecks
{
    public const int P99Connections = 32;
    public const double SoakGrowthPercent = 5;
    public const int IdleSessionsTarget = 10_000;
    public const int SoakSecondsTarget = 300;

    public static IReadOnlyList<TargetCheck> Evaluate(BenchResults results)
    {
        var ratios = AddScenarios.Ratios(results).ToDictionary(ratio => ratio.Name);
        TargetCheck OfRatio(string name, string ratioName, double threshold, bool percent = false)
        {
            var ratio = ratios.TryGetValue(ratioName, out var found) ? found : throw new InvalidOperationException($"No ratio named '{ratioName}'.");
            return Check(name, percent ? "%" : "×", threshold, atMost: false, percent ? ratio.Value * 100 : ratio.Value, ratioName);
        }

        var many = AddScenarios.ManySessions;
        return
        [
            OfRatio("stateless add ÷ TS SDK", "Prynai/TS stateless", 20),
            OfRatio("stateless add ÷ MapMcp", "Prynai/MapMcp stateless", 1.5),
            OfRatio("stateless add ÷ raw endpoint", "Prynai/raw stateless", 0.5),
            P99("stateless add p99", results, "a", AddScenarios.StatelessCase),
            OfRatio("1 session ÷ TS SDK sessions", "Prynai/TS 1 session", 10),
            OfRatio($"{many} ÷ TS SDK sessions", $"Prynai/TS {many}", 10),
            P99("1 session p99", results, "b", AddScenarios.OneSession),
            P99($"{many} p99", results, "b", many),
            OfRatio("auth on ÷ off, stateless", "Prynai auth on/off stateless", 85, percent: true),
            OfRatio("auth on ÷ off, 1 session", "Prynai auth on/off 1 session", 85, percent: true),
            OfRatio($"auth on ÷ off, {many}", $"Prynai auth on/off {many}", 85, percent: true),
            OfRatio("sign-in token ÷ auth off, stateless", $"Prynai auth on/off {AddScenarios.SignInTokenCase}", 85, percent: true),
            OfRatio("Entra token, sign-in on ÷ auth off", $"Prynai auth on/off {AddScenarios.EntraTokenSignInOnCase}", 85, percent: true),
            Counter("bump_counter Redis, exact", results, "redis", 15_000),
            Counter("bump_counter SQLite, exact", results, "sqlite", 10_000),
            SessionMemory(results),
            SoakRss(results),
            ColdStart(results),
        ];
    }

    /// <summary>A figure in its unit: ratios with two decimals, percentages and rates whole, times to the hundredth.</summary>
    public static string Number(double value, string unit, bool goal)
    {
        var text = goal
            ? value.ToString("#,0.##", CultureInfo.InvariantCulture)
            : unit switch
            {
                "×" => value.ToString("0.00", CultureInfo.InvariantCulture),
                "%" or "/s" => value.ToString("#,0", CultureInfo.InvariantCulture),
                "KB" => value.ToString("0.0", CultureInfo.InvariantCulture),
                _ => value.ToString(value < 10 ? "0.00" : "#,0.0", CultureInfo.InvariantCulture),
            };
        return unit is "×" ? text + unit : unit is "/s" ? text + unit : $"{text} {unit}";
    }

    private static TargetCheck Check(string name, string unit, double threshold, bool atMost, double? value, string source, string? note = null, bool otherwiseMet = true)
    {
        var status = value is not { } measured ? TargetStatus.NotRun
            : (atMost ? measured <= threshold : measured >= threshold) && otherwiseMet ? TargetStatus.Met
            : TargetStatus.NotMet;
        return new TargetCheck(name, unit, threshold, atMost, value, status, source, note);
    }

    private static TargetCheck P99(string name, BenchResults results, string scenario, string @case)
    {
        var run = results.Find(scenario, AddScenarios.Prynai, @case);
        if (run is not null && run.Connections != P99Connections)
        {
            return Check(name, "ms", 5, atMost: true, null, run.Name, $"measured at {run.Connections} connections, the target is at {P99Connections}");
        }
        return Check(name, "ms", 5, atMost: true, run?.Load.P99Ms, run?.Name ?? $"{scenario} {AddScenarios.Prynai}, {@case}, auth off");
    }

    private static TargetCheck Counter(string name, BenchResults results, string store, double threshold)
    {
        var counter = results.Counters.FirstOrDefault(counter => counter.Store == store);
        var source = counter?.Run?.Name ?? $"c Prynai, bump_counter, {store}";
        if (counter?.Run is not { } run)
        {
            return Check(name, "/s", threshold, atMost: false, null, source, counter?.Skipped);
        }
        var note = counter.Exact ? $"exact: {counter.Expected:N0} calls" : $"NOT exact: moved by {counter.Got:N0} for {counter.Expected:N0} calls";
        return Check(name, "/s", threshold, atMost: false, run.Load.RequestsPerSecond, source, note, otherwiseMet: counter.Exact);
    }

    private static TargetCheck SessionMemory(BenchResults results)
    {
        var idle = results.IdleSessions;
        var note = idle is null ? null
            : $"{idle.Opened:N0} sessions held in memory" + (idle.Opened < IdleSessionsTarget ? $" (the target counts {IdleSessionsTarget:N0})" : "");
        return Check("memory per live session", "KB", 10, atMost: true, idle?.KbPerSession, "e idle sessions, before parking", note);
    }

    private static TargetCheck SoakRss(BenchResults results)
    {
        if (results.Soak is not { Samples.Count: > 1 } soak || soak.Samples[0].RssMb <= 0)
        {
            return Check("RSS growth over the soak", "%", SoakGrowthPercent, atMost: true, null, "f soak (run with --only f)");
        }
        var first = soak.Samples[0];
        var last = soak.Samples[^1];
        var note = $"{first.RssMb:0.0} → {last.RssMb:0.0} MB over {last.Seconds:0} s" + (last.Seconds < SoakSecondsTarget ? $" (the target soaks {SoakSecondsTarget} s)" : "");
        return Check("RSS growth over the soak", "%", SoakGrowthPercent, atMost: true, (last.RssMb - first.RssMb) * 100 / first.RssMb, "f soak, first and last sample", note);
    }

    private static TargetCheck ColdStart(BenchResults results)
    {
        var readyToRun = results.ColdStarts.FirstOrDefault(start => start.ReadyToRun && !start.StateKept && start.StartMs.Count > 0);
        var kept = results.ColdStarts.FirstOrDefault(start => start.ReadyToRun && start.StateKept && start.StartMs.Count > 0);
        var jit = results.ColdStarts.FirstOrDefault(start => !start.ReadyToRun && !start.StateKept && start.StartMs.Count > 0);
        var note = readyToRun is null ? null
            : $"median of {readyToRun.StartMs.Count} on fresh state" +
              (kept is null ? "" : $"; {kept.MedianMs / 1000:0.00} s on kept state") +
              (jit is null ? "" : $"; IL + JIT {jit.MedianMs / 1000:0.00} s") +
              $"; image = base aspnet:10.0 image + {readyToRun.PublishMb:0} MB";
        return Check("cold start to /healthz 200", "s", 1, atMost: true, readyToRun?.MedianMs / 1000, "g cold start, ReadyToRun publish", note);
    }
}

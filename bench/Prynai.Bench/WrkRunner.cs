using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Prynai.Bench;

/// <summary>What wrk and the Lua script (mcp-load.lua) report for one run. Latencies in milliseconds.</summary>
internal sealed record WrkResult(
    long Requests, double Seconds, long Valid, long Invalid, long ConnectErrors, long ReadErrors, long WriteErrors, long Timeouts,
    double P50Ms, double P90Ms, double P99Ms, double MaxMs, double MeanMs, string? FirstInvalid)
{
    /// <summary>Responses that were not HTTP 200 with the expected result, plus socket errors and timeouts.</summary>
    public long Errors => Invalid + ConnectErrors + ReadErrors + WriteErrors + Timeouts;

    /// <summary>Valid responses per second.</summary>
    public double RequestsPerSecond => Seconds > 0 ? Valid / Seconds : 0;
}

/// <summary>
/// Runs wrk with mcp-load.lua: for a duration (-d), or count-based (each of N threads with one connection stops after
/// K responses, so exactly N×K requests complete and none is left in flight). Reads the JSON line the script's done()
/// prints.
/// </summary>
internal sealed class WrkRunner(string luaScript)
{
    private const string ResultPrefix = "BENCH-RESULT ";
    private const string ThreadStopped = "BENCH-THREAD-STOPPED";
    private const int SigInt = 2;

    public async Task<WrkResult> RunForAsync(Uri url, LoadRequest request, int threads, int connections, int seconds, CancellationToken cancellationToken)
    {
        var arguments = Arguments(url, request, Math.Min(threads, connections), connections, seconds);
        var (output, _) = await RunAsync(arguments, TimeSpan.FromSeconds(seconds + 60), stopAfterThreads: 0, cancellationToken);
        return Parse(output, elapsed: null);
    }

    /// <summary>
    /// <paramref name="threads"/> threads × one connection × <paramref name="callsPerThread"/> requests. wrk's main
    /// thread sleeps for its whole -d, so once every thread has stopped it gets SIGINT, which ends it early.
    /// </summary>
    public async Task<WrkResult> RunCountAsync(Uri url, LoadRequest request, int threads, int callsPerThread, TimeSpan limit, CancellationToken cancellationToken)
    {
        var arguments = Arguments(url, request, threads, threads, (int)Math.Ceiling(limit.TotalSeconds));
        arguments.Add("stop_after=" + callsPerThread.ToString(CultureInfo.InvariantCulture));
        var (output, elapsed) = await RunAsync(arguments, limit + TimeSpan.FromSeconds(30), stopAfterThreads: threads, cancellationToken);
        return Parse(output, elapsed);
    }

    /// <summary>wrk's version line ("wrk debian/4.1.0-3 [epoll] ..."), or null when wrk is missing.</summary>
    public static string? Version()
    {
        try
        {
            using var wrk = Process.Start(new ProcessStartInfo("wrk", ["-v"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var text = wrk.StandardOutput.ReadToEnd() + wrk.StandardError.ReadToEnd();
            wrk.WaitForExit();
            return text.Split('\n').FirstOrDefault(line => line.StartsWith("wrk", StringComparison.Ordinal))?.Split(" Copyright")[0].Trim();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private List<string> Arguments(Uri url, LoadRequest request, int threads, int connections, int seconds)
    {
        List<string> arguments =
        [
            "-t", threads.ToString(CultureInfo.InvariantCulture),
            "-c", connections.ToString(CultureInfo.InvariantCulture),
            "-d", seconds.ToString(CultureInfo.InvariantCulture) + "s",
            "--timeout", "10s",
            "-s", luaScript,
            url.ToString(),
            "--",
            "body=" + request.Body,
            "expect=" + request.Expect,
        ];
        arguments.AddRange(request.Headers.Select(h => $"header={h.Key}: {h.Value}"));
        arguments.AddRange(request.Sessions.Select(id => "session=" + id));
        return arguments;
    }

    private static async Task<(List<string> Output, TimeSpan? Elapsed)> RunAsync(
        List<string> arguments, TimeSpan limit, int stopAfterThreads, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("wrk", arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var output = new List<string>();
        var stopped = 0;
        TimeSpan? lastStop = null;
        var clock = Stopwatch.StartNew();
        using var wrk = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start.");
        wrk.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }
            lock (output)
            {
                output.Add(e.Data);
                if (e.Data == ThreadStopped && ++stopped == stopAfterThreads)
                {
                    lastStop = clock.Elapsed;
                    _ = kill(wrk.Id, SigInt);
                }
            }
        };
        wrk.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (output)
                {
                    output.Add(e.Data);
                }
            }
        };
        wrk.BeginOutputReadLine();
        wrk.BeginErrorReadLine();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);
        try
        {
            await wrk.WaitForExitAsync(timeout.Token);
            wrk.WaitForExit(); // drains the redirected output
        }
        catch (OperationCanceledException)
        {
            wrk.Kill();
            await wrk.WaitForExitAsync(CancellationToken.None);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"wrk did not finish within {limit.TotalSeconds:0} s:\n{string.Join('\n', output)}");
        }
        lock (output)
        {
            return (output.ToList(), lastStop);
        }
    }

    private static WrkResult Parse(List<string> output, TimeSpan? elapsed)
    {
        var line = output.LastOrDefault(l => l.StartsWith(ResultPrefix, StringComparison.Ordinal))
            ?? throw new InvalidOperationException("wrk printed no result line:\n" + string.Join('\n', output));
        using var document = JsonDocument.Parse(line[ResultPrefix.Length..]);
        var json = document.RootElement;
        long Long(string name) => json.GetProperty(name).GetInt64();
        double Ms(string name) => json.GetProperty(name).GetDouble() / 1000.0;
        var seconds = elapsed?.TotalSeconds ?? Long("durationUs") / 1e6;
        var firstInvalid = json.GetProperty("firstInvalid").GetString();
        return new WrkResult(Long("requests"), seconds, Long("valid"), Long("invalid"), Long("connectErrors"), Long("readErrors"),
            Long("writeErrors"), Long("timeouts"), Ms("p50Us"), Ms("p90Us"), Ms("p99Us"), Ms("maxUs"), Ms("meanUs"),
            string.IsNullOrEmpty(firstInvalid) ? null : firstInvalid);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}

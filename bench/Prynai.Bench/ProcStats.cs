using System.Diagnostics;
using System.Globalization;

namespace Prynai.Bench;

/// <summary>One reading of a process: CPU time used so far (user + system) and resident memory.</summary>
internal readonly record struct ProcessSample(double CpuMs, long RssKb)
{
    public double RssMb => RssKb / 1024.0;
}

/// <summary>
/// Reads a process's CPU time and memory from /proc: utime + stime (fields 14 and 15 of /proc/PID/stat, in clock
/// ticks of <c>getconf CLK_TCK</c>) and VmRSS of /proc/PID/status. Also the machine-wide CPU use from /proc/stat.
/// </summary>
internal static class ProcStats
{
    /// <summary>Clock ticks per second (<c>getconf CLK_TCK</c>, 100 on Linux nearly everywhere).</summary>
    public static int ClockTicks { get; } = ReadClockTicks();

    public static ProcessSample Read(int pid) => new(CpuMs(pid), RssKb(pid));

    public static double CpuMs(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) is in parentheses and may contain spaces: count fields after its closing one.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
        var stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
        return (utime + stime) * 1000.0 / ClockTicks;
    }

    public static long RssKb(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }
        throw new InvalidOperationException($"/proc/{pid}/status has no VmRSS line.");
    }

    /// <summary>Share of all cores busy (0–100) over <paramref name="interval"/>: how much else is using the machine.</summary>
    public static async Task<double> MachineBusyPercentAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        var (busy1, total1) = MachineTicks();
        await Task.Delay(interval, cancellationToken);
        var (busy2, total2) = MachineTicks();
        return total2 == total1 ? 0 : 100.0 * (busy2 - busy1) / (total2 - total1);
    }

    private static (long Busy, long Total) MachineTicks()
    {
        // "cpu  user nice system idle iowait irq softirq steal ..." (all cores together)
        var values = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Skip(1).Take(8).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var idle = values[3] + values[4];
        var total = values.Sum();
        return (total - idle, total);
    }

    private static int ReadClockTicks()
    {
        try
        {
            using var getconf = Process.Start(new ProcessStartInfo("getconf", ["CLK_TCK"]) { RedirectStandardOutput = true })!;
            var output = getconf.StandardOutput.ReadToEnd();
            getconf.WaitForExit();
            return int.TryParse(output.Trim(), CultureInfo.InvariantCulture, out var ticks) && ticks > 0 ? ticks : 100;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return 100;
        }
    }
}

internal static class ServerSampling
{
    /// <summary>CPU time and RSS of the server's process now; fails naming the server when it is no longer running.</summary>
    public static ProcessSample Sample(this ServerProcess server)
    {
        server.EnsureRunning();
        try
        {
            return ProcStats.Read(server.Pid);
        }
        catch (IOException)
        {
            server.EnsureRunning();
            throw;
        }
    }
}

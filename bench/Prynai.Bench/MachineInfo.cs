using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Prynai.Bench;

/// <summary>Where the numbers were measured: hardware, runtimes, load generator, and how busy the machine was.</summary>
internal sealed record MachineInfo(
    int Cores, string CpuModel, string Kernel, string DotNet, string? Node, string? Wrk, string? Redis, int ClockTicks,
    double BusyPercentBeforeStart, string LoadAverageBeforeStart)
{
    public static async Task<MachineInfo> CollectAsync(CancellationToken cancellationToken) => new(
        Environment.ProcessorCount,
        ReadCpuModel(),
        ReadOrEmpty("/proc/sys/kernel/osrelease"),
        RuntimeInformation.FrameworkDescription,
        FirstLine("node", "--version"),
        WrkRunner.Version(),
        Targets.FindExecutable("redis-server") is { } redis ? FirstLine(redis, "--version") : null,
        ProcStats.ClockTicks,
        Math.Round(await ProcStats.MachineBusyPercentAsync(TimeSpan.FromSeconds(1), cancellationToken), 1),
        ReadOrEmpty("/proc/loadavg"));

    private static string ReadCpuModel() =>
        File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(line => line.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown"
            : "unknown";

    private static string ReadOrEmpty(string path) => File.Exists(path) ? File.ReadAllText(path).Trim() : "";

    private static string? FirstLine(string program, string argument)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(program, [argument]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return output.Split('\n')[0].Trim();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}

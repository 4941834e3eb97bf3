using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Prynai.Rehearsal;

/// <summary>Child processes of the rehearsal: their output goes to a log file in the work directory.</summary>
internal static class Processes
{
    /// <summary>A Debian binary (redis-server, nginx): on PATH or in the system directories.</summary>
    public static string Find(string name, string package)
    {
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Concat(["/usr/sbin", "/usr/bin", "/sbin"]);
        return directories.Select(directory => Path.Combine(directory, name)).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException($"{name} is not installed: apt-get install {package} (deploy/rehearse.sh does it).");
    }

    public static Process Start(ProcessStartInfo start, string logFile)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start");
        var gate = new object();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (gate) { log.WriteLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (gate) { log.WriteLine(e.Data); } } };
        process.Exited += (_, _) => { lock (gate) { log.Flush(); } };
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public static void Signal(Process process, int signal)
    {
        if (Kill(process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public const int SigTerm = 15;
    public const int SigHup = 1;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    public static async Task StopAsync(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }
}

/// <summary>A throwaway redis-server on a loopback port (no persistence: it lives as long as the rehearsal).</summary>
internal sealed class RedisProcess : IAsyncDisposable
{
    private readonly Process _process;

    private RedisProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Url => $"redis://127.0.0.1:{Port}/0";

    public static async Task<RedisProcess> StartAsync(string workDirectory)
    {
        var port = Prynai.TestSupport.FreePort.Next();
        var directory = Directory.CreateDirectory(Path.Combine(workDirectory, "redis")).FullName;
        var process = Processes.Start(new ProcessStartInfo(Processes.Find("redis-server", "redis-server"),
            ["--port", port.ToString(), "--bind", "127.0.0.1", "--dir", directory, "--save", "", "--appendonly", "no", "--protected-mode", "no"]),
            Path.Combine(workDirectory, "redis.log"));
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return new RedisProcess(process, port);
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        await Processes.StopAsync(process);
        throw new TimeoutException("redis-server did not start");
    }

    public ValueTask DisposeAsync() => new(Processes.StopAsync(_process));
}

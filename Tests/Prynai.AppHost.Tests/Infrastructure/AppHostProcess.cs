using System.Collections.Concurrent;
using System.Diagnostics;

namespace Prynai.AppHost.Tests.Infrastructure;

/// <summary>
/// The built AppHost as a process, as F5 or <c>dotnet run --project AppHost</c> starts it, with the PATH the test gives
/// it: its dashboard and every port on free ones. Linux: the processes it leads to are read from /proc.
/// </summary>
public sealed class AppHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private AppHostProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public string Output => string.Join('\n', _output);

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static AppHostProcess Start(string path, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", [AppHostAssembly, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = RepositoryPaths.Root,
        };
        start.Environment["PATH"] = path;
        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        // What the http launch profile sets, on ports the OS picks (port 0), every resource's port picked freely too.
        start.Environment["ASPNETCORE_URLS"] = "http://localhost:0";
        start.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = "http://localhost:0";
        start.Environment["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = "http://localhost:0";
        start.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";
        start.Environment["DcpPublisher__RandomizePorts"] = "true";
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var host = new AppHostProcess(process);
        process.OutputDataReceived += (_, line) => { if (line.Data is not null) { host._output.Enqueue(line.Data); } };
        process.ErrorDataReceived += (_, line) => { if (line.Data is not null) { host._output.Enqueue("stderr: " + line.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>The AppHost's build output (the configuration these tests were built in).</summary>
    private static string AppHostAssembly
    {
        get
        {
            var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
            return Path.Combine(RepositoryPaths.Root, "AppHost", "bin", configuration, "net10.0", "AppHost.dll");
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    /// <summary>
    /// Every process the AppHost leads to: DCP (which it starts detached, watching the AppHost's process id) and what
    /// DCP starts (the server, its own controllers).
    /// </summary>
    public IReadOnlyList<LinuxProcess> Descendants()
    {
        var all = LinuxProcess.All();
        var roots = all.Where(process => process.ParentId == Id ||
            (process.CommandLine.Contains("dcp", StringComparison.Ordinal) && process.CommandLine.Contains($"--monitor {Id}", StringComparison.Ordinal)));
        var found = new Dictionary<int, LinuxProcess>();
        var pending = new Queue<LinuxProcess>(roots);
        while (pending.TryDequeue(out var process))
        {
            if (found.TryAdd(process.Id, process))
            {
                foreach (var child in all.Where(candidate => candidate.ParentId == process.Id))
                {
                    pending.Enqueue(child);
                }
            }
        }
        return [.. found.Values];
    }

    /// <summary>
    /// Ctrl-C: SIGINT — unless this process inherited SIGINT as ignored (a shell starts background jobs that way), then
    /// SIGTERM, which the .NET host handles the same way.
    /// </summary>
    public async Task<string> InterruptAsync()
    {
        var signal = LinuxProcess.IgnoresSigint(Id) ? "TERM" : "INT";
        using var kill = Process.Start("kill", [$"-{signal}", Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
        return "SIG" + signal;
    }

    public async ValueTask DisposeAsync()
    {
        var left = _process.HasExited ? [] : Descendants();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        foreach (var process in left)
        {
            process.KillQuietly();
        }
        _process.Dispose();
    }
}

/// <summary>A process as /proc shows it.</summary>
public sealed record LinuxProcess(int Id, int ParentId, string CommandLine)
{
    public static IReadOnlyList<LinuxProcess> All()
    {
        var processes = new List<LinuxProcess>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var id))
            {
                continue;
            }
            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                // pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after its last ')'.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var commandLine = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ').Trim();
                processes.Add(new LinuxProcess(id, int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture), commandLine));
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException)
            {
                // Gone between listing and reading.
            }
        }
        return processes;
    }

    public bool IsAlive => File.Exists($"/proc/{Id}/stat") && !File.ReadAllText($"/proc/{Id}/stat").Contains(") Z ", StringComparison.Ordinal);

    /// <summary>An environment variable of the process (it is ours: same user).</summary>
    public string? Environment(string name) =>
        File.ReadAllText($"/proc/{Id}/environ").Split('\0').FirstOrDefault(pair => pair.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..];

    public static bool IgnoresSigint(int id)
    {
        var ignored = File.ReadAllLines($"/proc/{id}/status").Single(line => line.StartsWith("SigIgn:", StringComparison.Ordinal))["SigIgn:".Length..].Trim();
        return (Convert.ToUInt64(ignored, 16) & (1UL << (2 - 1))) != 0;
    }

    /// <summary>Kills it if it is still this process (same id and command line: ids are reused).</summary>
    public void KillQuietly()
    {
        try
        {
            if (File.ReadAllText($"/proc/{Id}/cmdline").Replace('\0', ' ').Trim() != CommandLine)
            {
                return;
            }
            using var process = Process.GetProcessById(Id);
            process.Kill();
        }
        catch (Exception exception) when (exception is IOException or ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    public override string ToString() => $"{Id} {CommandLine}";
}

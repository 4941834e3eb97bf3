using System.Diagnostics;
using System.Net;

namespace Prynai.Rehearsal;

/// <summary>How one revision's replica drained: from SIGTERM to unready (/healthz no longer 200) and to its exit.</summary>
public sealed record DrainTiming(string Revision, TimeSpan Unready, TimeSpan Exited, int ExitCode, TimeSpan GracePeriod)
{
    public bool WithinGracePeriod => Exited < GracePeriod && ExitCode == 0;
}

/// <summary>One replica of a revision: the built server on its own loopback port, on the shared Redis.</summary>
internal sealed class RevisionProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TimeSpan _gracePeriod;

    private RevisionProcess(string name, Process process, int port, TimeSpan gracePeriod, string logFile)
    {
        Name = name;
        _process = process;
        Port = port;
        _gracePeriod = gracePeriod;
        LogFile = logFile;
    }

    public string Name { get; }

    public int Port { get; }

    public string LogFile { get; }

    public Uri Endpoint => new($"http://127.0.0.1:{Port}/mcp");

    public TimeSpan StartedIn { get; private set; }

    public static async Task<RevisionProcess> StartAsync(RehearsalOptions options, string workDirectory, string name, int instance,
        string redisUrl, IReadOnlyDictionary<string, string> revisionSettings)
    {
        var port = Prynai.TestSupport.FreePort.Next();
        var state = Directory.CreateDirectory(Path.Combine(workDirectory, $"{name}-{instance}")).FullName;
        var start = new ProcessStartInfo("dotnet", [options.ServerAssembly]) { WorkingDirectory = state };
        var settings = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["REDIS_URL"] = redisUrl,
            ["Revision__Name"] = name,
            ["State__SqlitePath"] = Path.Combine(state, "prynai.db"),
            ["Support__SqlitePath"] = Path.Combine(state, "contoso.db"),
            ["Support__CustomerCount"] = "5",
            ["Security__RateLimit__Enabled"] = "false",
            ["Tools__StepDelay"] = $"{options.StepDelay:c}",
            ["Tasks__HeartbeatInterval"] = "00:00:00.250",
            ["Tasks__LeaseDuration"] = "00:00:02",
            ["Tasks__ReaperInterval"] = "00:00:00.250",
            ["Drain__GracePeriod"] = $"{options.GracePeriod:c}",
            ["Drain__ExitMargin"] = $"{options.ExitMargin:c}",
            ["Drain__AcceptFor"] = "00:00:01",
            ["Drain__ReconnectAfter"] = "00:00:00.500",
            ["Drain__StreamHandoff"] = "00:00:03",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Prynai"] = "Information",
            ["Logging__Console__FormatterName"] = "simple",
        };
        foreach (var (key, value) in revisionSettings)
        {
            settings[key] = value;
        }
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }
        var logFile = Path.Combine(workDirectory, $"{name}-{instance}.log");
        var clock = Stopwatch.StartNew();
        var revision = new RevisionProcess(name, Processes.Start(start, logFile), port, options.GracePeriod, logFile);
        await revision.WaitReadyAsync(TimeSpan.FromSeconds(60));
        revision.StartedIn = clock.Elapsed;
        return revision;
    }

    private async Task WaitReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"revision {Name} exited with {_process.ExitCode} at start; see {LogFile}");
            }
            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{Port}/healthz"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"revision {Name} was not ready within {timeout}; see {LogFile}");
    }

    /// <summary>SIGTERM, as a platform deactivating the revision sends it; measures the drain until the process exits.</summary>
    public async Task<DrainTiming> DrainAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        var clock = Stopwatch.StartNew();
        Processes.Signal(_process, Processes.SigTerm);
        TimeSpan? unready = null;
        while (!_process.HasExited && clock.Elapsed < _gracePeriod + TimeSpan.FromSeconds(5))
        {
            if (unready is null)
            {
                try
                {
                    using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{Port}/healthz"));
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        unready = clock.Elapsed;
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    unready = clock.Elapsed;
                }
            }
            await Task.Delay(20);
        }
        if (!_process.HasExited)
        {
            // What the platform does at the end of the grace period.
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
        return new DrainTiming(Name, unready ?? clock.Elapsed, clock.Elapsed, _process.ExitCode, _gracePeriod);
    }

    private int _disposed;

    public ValueTask DisposeAsync() => Interlocked.Exchange(ref _disposed, 1) == 0 ? new(Processes.StopAsync(_process)) : default;
}

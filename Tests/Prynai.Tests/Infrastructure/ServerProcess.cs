using System.Collections.Concurrent;
using System.Diagnostics;

namespace Prynai.Tests.Infrastructure;

/// <summary>
/// The built server as a real process on a free loopback port, with its own state directory; stopped (and its
/// output kept for failure messages) on dispose.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TempDirectory? _ownState;

    private ServerProcess(Process process, int port, TempDirectory? ownState, string stateDirectory, string scheme)
    {
        _process = process;
        Port = port;
        Scheme = scheme;
        _ownState = ownState;
        StateDirectory = stateDirectory;
    }

    public int Port { get; }

    public string Scheme { get; }

    public string StateDirectory { get; }

    public Uri BaseAddress => new($"{Scheme}://127.0.0.1:{Port}");

    public Uri McpEndpoint => new(BaseAddress, "/mcp");

    public string Output => string.Join('\n', _output);

    public static async Task<ServerProcess> StartAsync(IDictionary<string, string?>? environment = null, string? stateDirectory = null,
        string aspnetEnvironment = "Development", int? port = null, bool waitHealthy = true, string scheme = "http", IEnumerable<string>? arguments = null,
        string? assembly = null)
    {
        var ownState = stateDirectory is null ? new TempDirectory("prynai-server") : null;
        stateDirectory ??= ownState!.Path;
        var listenPort = port ?? FreePort.Next();

        var start = new ProcessStartInfo("dotnet", [assembly ?? RepositoryPaths.ServerAssembly, .. arguments ?? []])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = stateDirectory,
        };
        start.Environment["ASPNETCORE_URLS"] = $"{scheme}://127.0.0.1:{listenPort}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = aspnetEnvironment;
        start.Environment["State__SqlitePath"] = Path.Combine(stateDirectory, "prynai.db");
        start.Environment["Support__SqlitePath"] = Path.Combine(stateDirectory, "contoso.db");
        start.Environment["Support__CustomerCount"] = "5";
        start.Environment["Tools__StepDelay"] = "00:00:00.010";
        start.Environment["Support__TroubleshootStepDelay"] = "00:00:00.010";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["COSMOS_DISABLE_IMDS_ACCESS"] = "true";
        // A test's server lives seconds: tiered compilation only costs it (measured: start + 20 calls, 2.5 → 1.8 s of CPU).
        start.Environment["DOTNET_TieredCompilation"] = "0";
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var server = new ServerProcess(process, listenPort, ownState, stateDirectory, scheme);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) server._output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) server._output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        if (waitHealthy)
        {
            await server.WaitUntilListeningAsync();
        }
        return server;
    }

    /// <summary>The server with the conformance suite's fixtures (Tests/Prynai.ConformanceHost) as a process.</summary>
    public static Task<ServerProcess> StartConformanceHostAsync(IDictionary<string, string?>? environment = null) =>
        StartAsync(environment, assembly: RepositoryPaths.ConformanceHostAssembly);

    /// <summary>Waits until /livez answers; fails with the server's output if it exits or takes too long.</summary>
    public async Task WaitUntilListeningAsync(TimeSpan? timeout = null)
    {
        // The readiness probe trusts any certificate: a test server may use a throwaway self-signed one.
        using var http = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true })
        {
            Timeout = TimeSpan.FromSeconds(2),
        };
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with code {_process.ExitCode}:\n{Output}");
            }
            try
            {
                using var response = await http.GetAsync(new Uri(BaseAddress, "/livez"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"The server did not start listening:\n{Output}");
    }

    /// <summary>Sends SIGTERM, as a platform stopping a replica does (Azure Container Apps, Kubernetes, systemd).</summary>
    public void Terminate()
    {
        if (Kill(_process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
        }
    }

    public bool HasExited => _process.HasExited;

    private const int SigTerm = 15;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>Waits for the process to exit by itself (e.g. a refused start) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        _ownState?.Dispose();
    }
}

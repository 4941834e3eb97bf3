using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Prynai.TestSupport;

/// <summary>
/// A server as a child process on a loopback port — the built Prynai server with a test's defaults (ServerProcess.Prynai.cs)
/// or any program the benchmark compares: started, waited for until ready, its output drained (a full pipe would
/// stall it) and kept for failure messages, stopped with SIGTERM or killed on dispose.
/// </summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private const int SigTerm = 15;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan DefaultPollInterval = TimeSpan.FromMilliseconds(100);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly int? _keptOutputLines;
    private readonly Action? _cleanup;

    private ServerProcess(string name, Process process, int port, string scheme, int? keptOutputLines, Action? cleanup)
    {
        Name = name;
        _process = process;
        Port = port;
        Scheme = scheme;
        _keptOutputLines = keptOutputLines;
        _cleanup = cleanup;
    }

    /// <summary>What it is, for messages ("Prynai (auth on)", "redis-server").</summary>
    public string Name { get; }

    public int Port { get; }

    public string Scheme { get; }

    public int Pid => _process.Id;

    public Uri BaseAddress => new($"{Scheme}://127.0.0.1:{Port}");

    public Uri McpEndpoint => new(BaseAddress, "/mcp");

    /// <summary>What it printed (stdout and stderr as they arrived; only the last lines when started with a limit).</summary>
    public string Output => string.Join('\n', _output);

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Starts <paramref name="start"/> (its output redirected) and, unless <paramref name="isReady"/> is null, waits until
    /// it says the server on <paramref name="port"/> serves, asking every <paramref name="pollInterval"/> (100 ms) for up to
    /// a minute; fails with the output when the process exits first. <paramref name="cleanup"/> runs after it is disposed;
    /// <paramref name="keptOutputLines"/> bounds the output kept (all of it when null).
    /// </summary>
    public static async Task<ServerProcess> StartAsync(
        string name, ProcessStartInfo start, int port, Func<int, CancellationToken, Task<bool>>? isReady, CancellationToken cancellationToken,
        Action? cleanup = null, TimeSpan? pollInterval = null, string scheme = "http", int? keptOutputLines = null)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{name}: {start.FileName} did not start.");
        var server = new ServerProcess(name, process, port, scheme, keptOutputLines, cleanup);
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (isReady is null)
        {
            return server;
        }
        try
        {
            await server.WaitUntilReadyAsync(isReady, pollInterval ?? DefaultPollInterval, cancellationToken);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    /// <summary>Ready when GET <paramref name="path"/> answers 2xx (over https any certificate is trusted: a test server may use a throwaway one).</summary>
    public static Func<int, CancellationToken, Task<bool>> HttpReady(string path, string scheme = "http") => async (port, cancellationToken) =>
    {
        using var http = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true })
        {
            Timeout = TimeSpan.FromSeconds(2),
        };
        try
        {
            using var response = await http.GetAsync(new Uri($"{scheme}://127.0.0.1:{port}{path}"), cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    };

    /// <summary>Ready when a RESP PING is answered with +PONG (redis-server).</summary>
    public static async Task<bool> RedisReady(int port, CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken);
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer, cancellationToken);
            return read >= 5 && buffer.AsSpan(0, 5).SequenceEqual("+PONG"u8);
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            return false;
        }
    }

    /// <summary>Fails when the process has exited (crashed, or was stopped from outside), with its last output.</summary>
    public void EnsureRunning()
    {
        if (_process.HasExited)
        {
            var tail = string.Join('\n', _output.TakeLast(8));
            throw new InvalidOperationException($"{Name} exited unexpectedly (exit code {_process.ExitCode}); its last output:\n{tail}");
        }
    }

    /// <summary>Sends SIGTERM, as a platform stopping a replica does (Azure Container Apps, Kubernetes, systemd).</summary>
    public void Terminate()
    {
        if (Kill(_process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Waits for the process to exit by itself (e.g. a refused start) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        _output.Enqueue(line);
        while (_output.Count > _keptOutputLines && _output.TryDequeue(out _))
        {
        }
    }

    private async Task WaitUntilReadyAsync(Func<int, CancellationToken, Task<bool>> isReady, TimeSpan pollInterval, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode} while starting:\n{Output}");
            }
            if (await isReady(Port, cancellationToken))
            {
                return;
            }
            await Task.Delay(pollInterval, cancellationToken);
        }
        throw new TimeoutException($"{Name} was not ready within {StartTimeout.TotalSeconds:0} s:\n{Output}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        _cleanup?.Invoke();
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Prynai.Bench;

/// <summary>
/// A server under test as a child process on a loopback port: started, waited for (its readiness check), sampled
/// through /proc, killed on dispose. Its output is drained (a full pipe would stall it); the last lines are kept for
/// error messages.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private const int KeptOutputLines = 200;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan DefaultPollInterval = TimeSpan.FromMilliseconds(100);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly Action? _cleanup;

    private ServerProcess(string name, Process process, int port, Action? cleanup)
    {
        Name = name;
        _process = process;
        Port = port;
        _cleanup = cleanup;
    }

    public string Name { get; }

    public int Port { get; }

    public int Pid => _process.Id;

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    public Uri McpEndpoint => new(BaseAddress, "/mcp");

    public string RecentOutput => string.Join('\n', _output);

    /// <summary>CPU time and RSS now; fails naming the server when it is no longer running.</summary>
    public ProcessSample Sample()
    {
        EnsureRunning();
        try
        {
            return ProcStats.Read(Pid);
        }
        catch (IOException)
        {
            EnsureRunning();
            throw;
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

    /// <summary>Starts the process and waits until <paramref name="isReady"/> says it serves, asking every <paramref name="pollInterval"/> (100 ms).</summary>
    public static async Task<ServerProcess> StartAsync(
        string name, ProcessStartInfo start, int port, Func<int, CancellationToken, Task<bool>> isReady, CancellationToken cancellationToken,
        Action? cleanup = null, TimeSpan? pollInterval = null)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{name}: {start.FileName} did not start.");
        var server = new ServerProcess(name, process, port, cleanup);
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
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

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        _output.Enqueue(line);
        while (_output.Count > KeptOutputLines && _output.TryDequeue(out _))
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
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode} while starting:\n{RecentOutput}");
            }
            if (await isReady(Port, cancellationToken))
            {
                return;
            }
            await Task.Delay(pollInterval, cancellationToken);
        }
        throw new TimeoutException($"{Name} was not ready within {StartTimeout.TotalSeconds:0} s:\n{RecentOutput}");
    }

    /// <summary>Ready when GET <paramref name="path"/> answers 2xx.</summary>
    public static Func<int, CancellationToken, Task<bool>> HttpReady(string path) => async (port, cancellationToken) =>
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}{path}"), cancellationToken);
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

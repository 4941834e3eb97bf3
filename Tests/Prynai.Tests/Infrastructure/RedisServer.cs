using System.Diagnostics;
using System.Net.Sockets;

namespace Prynai.Tests.Infrastructure;

/// <summary>
/// A real redis-server on a free loopback port, in its own temp directory, with AOF persistence fsynced on every
/// write (so an acknowledged increment survives a kill). Can be killed and restarted on the same port and data.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _executable;
    private readonly TempDirectory _directory = new("redis");
    private Process? _process;

    private RedisServer(string executable, int port)
    {
        _executable = executable;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Aspire's connection-string form.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>The original system's REDIS_URL form.</summary>
    public string Url => $"redis://127.0.0.1:{Port}/0";

    public static async Task<RedisServer> StartAsync(bool start = true)
    {
        var server = new RedisServer(await DebianPackages.EnsureAsync("redis-server", "redis-server"), FreePort.Next());
        if (start)
        {
            await server.RestartAsync();
        }
        return server;
    }

    /// <summary>Starts (again) on the same port and data directory and waits until it answers.</summary>
    public async Task RestartAsync()
    {
        _process = Process.Start(new ProcessStartInfo(_executable,
            ["--port", Port.ToString(), "--bind", "127.0.0.1", "--dir", _directory.Path, "--appendonly", "yes", "--appendfsync", "always",
             "--save", "", "--protected-mode", "no", "--daemonize", "no", "--logfile", Path.Combine(_directory.Path, "redis.log")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (await AnswersPingAsync())
            {
                return;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"redis-server did not start on port {Port}: {await File.ReadAllTextAsync(Path.Combine(_directory.Path, "redis.log"))}");
    }

    /// <summary>Kills the server abruptly (SIGKILL), as a crash would.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private async Task<bool> AnswersPingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer);
            return read > 0 && buffer[0] == (byte)'+';
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        _directory.Dispose();
    }
}

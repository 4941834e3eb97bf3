using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;

namespace Prynai.Tests.Infrastructure;

/// <summary>
/// A real redis-server on a free loopback port, in its own temp directory, with AOF persistence fsynced on every
/// write (so an acknowledged increment survives a kill). Can be killed and restarted on the same port and data.
/// Optionally as Azure serves it: TLS only (a throwaway CA, <see cref="Tls"/>) and a password.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _executable;
    private readonly TempDirectory _directory = new("redis");
    private readonly string? _password;
    private Process? _process;

    private RedisServer(string executable, int port, string? password, TestCertificates? tls)
    {
        _executable = executable;
        Port = port;
        _password = password;
        Tls = tls;
    }

    public int Port { get; }

    /// <summary>The CA and server certificate when the server speaks TLS only; null for plain TCP.</summary>
    public TestCertificates? Tls { get; }

    /// <summary>Aspire's connection-string form (Azure Managed Redis: <c>host:port,ssl=true,password=…</c>).</summary>
    public string ConnectionString => Tls is null
        ? $"127.0.0.1:{Port}" + (_password is null ? "" : $",password={_password}")
        : $"localhost:{Port},ssl=true" + (_password is null ? "" : $",password={_password}");

    /// <summary>The original system's REDIS_URL form.</summary>
    public string Url => $"redis://127.0.0.1:{Port}/0";

    public static async Task<RedisServer> StartAsync(bool start = true, string? password = null, bool tls = false)
    {
        var executable = await DebianPackages.EnsureAsync("redis-server", "redis-server");
        var server = new RedisServer(executable, FreePort.Next(), password, tls ? TestCertificates.Create("localhost") : null);
        if (start)
        {
            await server.RestartAsync();
        }
        return server;
    }

    /// <summary>Starts (again) on the same port and data directory and waits until it answers.</summary>
    public async Task RestartAsync()
    {
        List<string> arguments = ["--bind", "127.0.0.1", "-::1", "--dir", _directory.Path, "--appendonly", "yes", "--appendfsync", "always",
            "--save", "", "--protected-mode", "no", "--daemonize", "no", "--logfile", Path.Combine(_directory.Path, "redis.log")];
        if (Tls is { } tls)
        {
            arguments.AddRange(["--port", "0", "--tls-port", Port.ToString(), "--tls-auth-clients", "no",
                "--tls-cert-file", tls.ServerCertificatePath, "--tls-key-file", tls.ServerKeyPath, "--tls-ca-cert-file", tls.CaCertificatePath]);
        }
        else
        {
            arguments.AddRange(["--port", Port.ToString()]);
        }
        if (_password is not null)
        {
            arguments.AddRange(["--requirepass", _password]);
        }
        _process = Process.Start(new ProcessStartInfo(_executable, arguments)
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

    /// <summary>Any RESP reply to PING means the server is up (with a password the reply is a NOAUTH error).</summary>
    private async Task<bool> AnswersPingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port);
            Stream stream = client.GetStream();
            if (Tls is not null)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false, (_, _, _, _) => true);
                await ssl.AuthenticateAsClientAsync("localhost");
                stream = ssl;
            }
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer);
            return read > 0 && buffer[0] is (byte)'+' or (byte)'-';
        }
        catch (Exception ex) when (ex is SocketException or IOException or System.Security.Authentication.AuthenticationException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        _directory.Dispose();
        Tls?.Dispose();
    }
}

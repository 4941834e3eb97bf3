using System.Diagnostics;
using System.Net.Sockets;

namespace Prynai.Tests.Infrastructure;

/// <summary>
/// Debian's nginx on a free loopback port, round-robin over the given upstream ports, configured as a load balancer
/// in front of MCP must be: no response buffering (SSE), HTTP/1.1 to upstreams, long read timeouts, and no retrying
/// a request on another replica (a POST is not idempotent).
/// </summary>
public sealed class NginxProxy : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _directory;

    private NginxProxy(Process process, TempDirectory directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public Uri McpEndpoint => new($"http://127.0.0.1:{Port}/mcp");

    public static async Task<NginxProxy> StartAsync(params int[] upstreamPorts)
    {
        var nginx = await DebianPackages.EnsureAsync("nginx", "nginx");
        var directory = new TempDirectory("nginx");
        var port = FreePort.Next();
        var upstreams = string.Join("\n", upstreamPorts.Select(p => $"    server 127.0.0.1:{p};"));
        var config = $$"""
            daemon off;
            master_process off;
            worker_processes 1;
            pid {{directory.File("nginx.pid")}};
            error_log {{directory.File("error.log")}} warn;
            events { worker_connections 4096; }
            http {
              access_log off;
              client_body_temp_path {{directory.File("body")}};
              proxy_temp_path {{directory.File("proxy")}};
              fastcgi_temp_path {{directory.File("fastcgi")}};
              uwsgi_temp_path {{directory.File("uwsgi")}};
              scgi_temp_path {{directory.File("scgi")}};
              upstream mcp {
            {{upstreams}}
                keepalive 64;
              }
              server {
                listen 127.0.0.1:{{port}};
                client_max_body_size 4m;
                location / {
                  proxy_pass http://mcp;
                  proxy_http_version 1.1;
                  proxy_set_header Connection "";
                  proxy_set_header Host $host;
                  proxy_buffering off;
                  proxy_cache off;
                  proxy_read_timeout 300s;
                  proxy_next_upstream off;
                }
              }
            }
            """;
        File.WriteAllText(directory.File("nginx.conf"), config);
        var process = Process.Start(new ProcessStartInfo(nginx, ["-c", directory.File("nginx.conf"), "-p", directory.Path])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return new NginxProxy(process, directory, port);
            }
            catch (SocketException)
            {
                if (process.HasExited)
                {
                    break;
                }
                await Task.Delay(50);
            }
        }
        var errors = File.Exists(directory.File("error.log")) ? File.ReadAllText(directory.File("error.log")) : "";
        process.Kill(entireProcessTree: true);
        throw new InvalidOperationException($"nginx did not start: {await process.StandardError.ReadToEndAsync()}\n{errors}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        _directory.Dispose();
    }
}

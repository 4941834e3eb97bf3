using System.Diagnostics;
using System.Net.Sockets;

namespace Prynai.Rehearsal;

/// <summary>
/// Debian's nginx as the stand-in for the Container Apps ingress: every request to the revision that has the traffic.
/// Promoting another revision rewrites the upstream and reloads (SIGHUP): new requests go to the new revision while
/// connections already open (GET and listen streams) stay where they are until that revision ends them.
/// </summary>
internal sealed class NginxIngress : IAsyncDisposable
{
    private readonly Process _master;
    private readonly string _directory;

    private NginxIngress(Process master, string directory, int port)
    {
        _master = master;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public Uri Endpoint => new($"http://127.0.0.1:{Port}/mcp");

    public static async Task<NginxIngress> StartAsync(string workDirectory, int upstreamPort)
    {
        var directory = Directory.CreateDirectory(Path.Combine(workDirectory, "nginx")).FullName;
        var port = Prynai.TestSupport.FreePort.Next();
        await File.WriteAllTextAsync(Path.Combine(directory, "nginx.conf"), Config(directory, port, upstreamPort));
        var master = Processes.Start(new ProcessStartInfo(Processes.Find("nginx", "nginx"),
            ["-c", Path.Combine(directory, "nginx.conf"), "-p", directory, "-e", Path.Combine(directory, "error.log")]), Path.Combine(workDirectory, "nginx.log"));
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return new NginxIngress(master, directory, port);
            }
            catch (SocketException)
            {
                if (master.HasExited)
                {
                    break;
                }
                await Task.Delay(50);
            }
        }
        await Processes.StopAsync(master);
        throw new InvalidOperationException($"nginx did not start; see {Path.Combine(directory, "error.log")}");
    }

    /// <summary>Sends every new request to <paramref name="upstreamPort"/> (nginx -s reload: a SIGHUP to the master).</summary>
    public async Task RouteToAsync(int upstreamPort)
    {
        await File.WriteAllTextAsync(Path.Combine(_directory, "nginx.conf"), Config(_directory, Port, upstreamPort));
        Processes.Signal(_master, Processes.SigHup);
    }

    private static string Config(string directory, int port, int upstreamPort) => $$"""
        daemon off;
        master_process on;
        worker_processes 1;
        pid {{Path.Combine(directory, "nginx.pid")}};
        error_log {{Path.Combine(directory, "error.log")}} warn;
        events { worker_connections 4096; }
        http {
          access_log off;
          client_body_temp_path {{Path.Combine(directory, "body")}};
          proxy_temp_path {{Path.Combine(directory, "proxy")}};
          fastcgi_temp_path {{Path.Combine(directory, "fastcgi")}};
          uwsgi_temp_path {{Path.Combine(directory, "uwsgi")}};
          scgi_temp_path {{Path.Combine(directory, "scgi")}};
          upstream mcp {
            server 127.0.0.1:{{upstreamPort}};
            keepalive 64;
          }
          # A reload closes the old worker's idle client connections: a client that sends its next request on one
          # at that moment sees it cut (about one in three rehearsals under CPU load). That race belongs to nginx's
          # reload, not to the revision change it stands for; one request per client connection keeps it out.
          keepalive_timeout 0;
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

    public ValueTask DisposeAsync() => new(Processes.StopAsync(_master));
}

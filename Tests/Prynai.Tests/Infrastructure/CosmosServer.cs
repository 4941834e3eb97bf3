using System.Diagnostics;
using System.Net.Sockets;

namespace Prynai.Tests.Infrastructure;

/// <summary>
/// @vercel/cosmosdb-server (the Cosmos DB REST protocol in Node) on a free loopback port, plain HTTP. It keeps data
/// in memory only. Any key works; the emulator's well-known key is used.
/// </summary>
public sealed class CosmosServer : IAsyncDisposable
{
    public const string EmulatorKey = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

    private readonly Process _process;

    private CosmosServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Endpoint => $"http://127.0.0.1:{Port}/";

    public string ConnectionString => $"AccountEndpoint={Endpoint};AccountKey={EmulatorKey};";

    /// <summary>The settings a Prynai server (in process or as a process) needs to use this server safely.</summary>
    public Dictionary<string, string?> Settings(string database = "prynai", string separator = ":") => new()
    {
        [$"ConnectionStrings{separator}cosmos"] = ConnectionString,
        [$"State{separator}Cosmos{separator}DatabaseName"] = database,
        [$"State{separator}Cosmos{separator}ConnectionMode"] = "Gateway",
        [$"State{separator}Cosmos{separator}LimitToEndpoint"] = "true",
        [$"State{separator}Cosmos{separator}EmulatorCompatibility"] = "true",
        [$"State{separator}Cosmos{separator}ChangePollInterval"] = "00:00:00.200",
    };

    public static async Task<CosmosServer> StartAsync()
    {
        // The Cosmos SDK probes the Azure instance metadata endpoint at start-up unless told not to; tests stay on loopback.
        Environment.SetEnvironmentVariable("COSMOS_DISABLE_IMDS_ACCESS", "true");
        await NodeTooling.EnsureInstalledAsync();
        var port = FreePort.Next();
        var process = Process.Start(new ProcessStartInfo(RepositoryPaths.Node22,
            [Path.Combine(RepositoryPaths.NodeModules, "@vercel", "cosmosdb-server", "lib", "cli.js"), "-p", port.ToString(), "--host", "127.0.0.1", "--no-ssl"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        for (var attempt = 0; attempt < 200; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return new CosmosServer(process, port);
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        process.Kill(entireProcessTree: true);
        throw new TimeoutException("cosmosdb-server did not start.");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}

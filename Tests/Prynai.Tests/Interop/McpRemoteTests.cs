using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Interop;

/// <summary>mcp-remote (the stdio bridge Claude Desktop uses) against a server without authentication.</summary>
public sealed class McpRemoteTests(ITestOutputHelper output)
{
    [Fact]
    public async Task McpRemote_WithAuthenticationOff_BridgesWithoutAnyOAuthStep()
    {
        await NodeTooling.EnsureInstalledAsync();
        await using var server = await ServerProcess.StartAsync();
        using var config = new TempDirectory("mcp-remote");
        var stderr = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "mcp-remote",
            Command = RepositoryPaths.Node22,
            Arguments = [Path.Combine(RepositoryPaths.NodeModules, "mcp-remote", "dist", "proxy.js"), server.McpEndpoint.ToString(), "--transport", "http-only"],
            EnvironmentVariables = new Dictionary<string, string?> { ["MCP_REMOTE_CONFIG_DIR"] = config.Path, ["BROWSER"] = "/bin/false", ["DISPLAY"] = null },
            StandardErrorLines = stderr.Enqueue,
        });
        try
        {
            await using var client = await McpClient.CreateAsync(transport, new McpClientOptions
            {
                ClientInfo = new Implementation { Name = "via-mcp-remote", Version = "1" },
                ProtocolVersion = "2025-11-25",
            }, cancellationToken: TestContext.Current.CancellationToken);
            var sum = await client.CallToolAsync("add", new Dictionary<string, object?> { ["a"] = 2, ["b"] = 3 }, cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal(5, sum.StructuredContent!.Value.GetProperty("result").GetDouble());
        }
        finally
        {
            output.WriteLine(string.Join('\n', stderr));
        }

        // mcp-remote always probes ("Discovering OAuth server configuration..."); with metadata that named no
        // authorization server it took the server itself for one ("Discovered authorization server: …/mcp").
        Assert.Contains(stderr, line => line.Contains("Discovering OAuth server configuration", StringComparison.Ordinal));
        Assert.DoesNotContain(stderr, line => line.Contains("Discovered authorization server", StringComparison.Ordinal));
        Assert.DoesNotContain(Directory.EnumerateFiles(config.Path, "*", SearchOption.AllDirectories), file => file.Contains("client_info", StringComparison.Ordinal));
    }
}

using System.Diagnostics;
using System.Text.Json.Nodes;
using ModelContextProtocol.Client;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Transport;

/// <summary><c>--stdio</c>: the same server as a child process over stdin/stdout.</summary>
public sealed class StdioTests
{
    [Theory]
    [InlineData("2026-07-28")]
    [InlineData("2025-11-25")]
    public async Task Stdio_ServesTheSameSurface(string protocol)
    {
        using var state = new TempDirectory();
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Command = "dotnet",
            Arguments = [RepositoryPaths.ServerAssembly, "--stdio"],
            EnvironmentVariables = new Dictionary<string, string?>
            {
                ["State__SqlitePath"] = state.File("prynai.db"),
                ["Support__SqlitePath"] = state.File("contoso.db"),
                ["Support__CustomerCount"] = "5",
                ["Tools__StepDelay"] = "00:00:00.010",
                ["DOTNET_ENVIRONMENT"] = "Development",
            },
            Name = "prynai-stdio",
        });
        // The discover probe must outlast the server's start, which takes seconds on a loaded machine.
        await using var client = await McpClient.CreateAsync(transport, new McpClientOptions { ProtocolVersion = protocol, DiscoverProbeTimeout = TimeSpan.FromSeconds(60) },
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.Contains("add", (await client.ListToolsAsync(cancellationToken: TestContext.Current.CancellationToken)).Select(t => t.Name));
        Assert.Equal(5, await McpClientCalls.NumberAsync(client, "add", 2, 3));
        Assert.Equal("Hello, stdio", await McpClientCalls.ReadTextAsync(client, "hello://stdio"));

        if (protocol == "2026-07-28")
        {
            return; // subscriptions on the stateless revision go through subscriptions/listen, covered over HTTP
        }
        // Counted by a raw handler: the subscription's own handler stops on unsubscribe whatever the server sends.
        var updates = 0;
        await using var counting = client.RegisterNotificationHandler(ModelContextProtocol.Protocol.NotificationMethods.ResourceUpdatedNotification, (_, _) =>
        {
            Interlocked.Increment(ref updates);
            return default;
        });
        await using (await client.SubscribeToResourceAsync("prynai://counter", (_, _) => default, cancellationToken: TestContext.Current.CancellationToken))
        {
            await client.CallToolAsync("bump_counter", cancellationToken: TestContext.Current.CancellationToken);
            await Eventually.TrueAsync(() => Volatile.Read(ref updates) == 1, because: "a stdio subscriber should hear of the bump");
        }
        await client.CallToolAsync("bump_counter", cancellationToken: TestContext.Current.CancellationToken);
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.Equal(1, Volatile.Read(ref updates));
    }

    [Fact]
    public async Task AClientThatClosesStdinRightAfterItsRequests_GetsEveryAnswer_ThenTheServerExits()
    {
        using var state = new TempDirectory();
        var start = new ProcessStartInfo("dotnet", [RepositoryPaths.ServerAssembly, "--stdio"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = state.Path,
        };
        start.Environment["State__SqlitePath"] = state.File("prynai.db");
        start.Environment["Support__SqlitePath"] = state.File("contoso.db");
        start.Environment["Support__CustomerCount"] = "5";
        start.Environment["Tools__StepDelay"] = "00:00:00.200";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);

        var meta = """{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":{"name":"pipe","version":"1"}}""";
        await process.StandardInput.WriteLineAsync($$$"""{"jsonrpc":"2.0","id":1,"method":"server/discover","params":{"_meta":{{{meta}}}}}""");
        // A tool that takes a while, as the last line, without its newline.
        await process.StandardInput.WriteAsync($$$"""{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"long_task","arguments":{"steps":3},"_meta":{{{meta}}}}}""");
        process.StandardInput.Close();

        var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        var answers = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonNode.Parse(line)!).ToList();
        Assert.Contains(answers, a => a["id"]?.GetValue<int>() == 1 && a["result"]?["supportedVersions"] is not null);
        Assert.Contains(answers, a => a["id"]?.GetValue<int>() == 2 && a["result"]?["structuredContent"]?["steps"]?.GetValue<int>() == 3);
        Assert.Equal(0, process.ExitCode);
        // The same environment variables as the HTTP host: ASPNETCORE_ENVIRONMENT counts.
        Assert.Contains("Hosting environment: Development", await errors);
    }
}

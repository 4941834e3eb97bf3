using ModelContextProtocol.Client;
using Prynai.Tests.Infrastructure;
using Prynai.Tests.Tools;

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
        await using var client = await McpClient.CreateAsync(transport, new McpClientOptions { ProtocolVersion = protocol },
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.Contains("add", (await client.ListToolsAsync(cancellationToken: TestContext.Current.CancellationToken)).Select(t => t.Name));
        Assert.Equal(5, await McpSurfaceTests.NumberAsync(client, "add", 2, 3));
        Assert.Equal("Hello, stdio", await McpSurfaceTests.ReadAsync(client, "hello://stdio"));

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
}

using Prynai.McpServer.Configuration;
using Prynai.McpServer.State;

namespace Prynai.McpServer;

/// <summary><c>--stdio</c>: the same MCP surface over stdin/stdout for local clients; logs go to stderr.</summary>
internal static class StdioHost
{
    public const string Switch = "--stdio";

    public static async Task RunAsync(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args.Where(arg => arg != Switch).ToArray());
        builder.Configuration.AddLegacyEnvironmentVariables();
        builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.ConfigureOpenTelemetry();

        builder.AddPrynaiState();
        builder.AddPrynaiMcp().WithStdioServerTransport();

        await builder.Build().RunAsync();
    }
}

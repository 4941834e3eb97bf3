using Prynai.McpServer.Configuration;
using Prynai.McpServer.Notifications;
using Prynai.McpServer.State;

namespace Prynai.McpServer.Transport.Stdio;

/// <summary>
/// <c>--stdio</c>: the same MCP surface over stdin/stdout for local clients; logs go to stderr. It reads its
/// environment as the HTTP host does (<c>ASPNETCORE_ENVIRONMENT</c> as well as <c>DOTNET_ENVIRONMENT</c>, the same
/// appsettings files) and, when started from a folder without them (clients start it from anywhere), takes them from
/// beside the program. A client that closes stdin right after its request still gets the answer.
/// </summary>
internal static class StdioHost
{
    public const string Switch = "--stdio";

    public static async Task RunAsync(string[] args)
    {
        // What WebApplication.CreateBuilder does for the HTTP host: ASPNETCORE_-prefixed variables are host settings too.
        var hostSettings = new ConfigurationManager();
        hostSettings.AddEnvironmentVariables(prefix: "ASPNETCORE_");
        var hostArgs = args.Where(arg => arg != Switch).ToArray();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = hostArgs,
            Configuration = hostSettings,
            EnvironmentName = HostEnvironment.Chosen(hostArgs),
            ContentRootPath = File.Exists(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json")) ? null : AppContext.BaseDirectory,
        });
        builder.Configuration.AddEnvironmentVariableAliases();
        builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.ConfigureOpenTelemetry();

        var answers = new StdioAnswersBeforeExit();
        builder.AddPrynaiState();
        builder.AddPrynaiNotifications();
        builder.AddPrynaiMcp()
            .WithStreamServerTransport(answers.Input(Console.OpenStandardInput()), Console.OpenStandardOutput())
            .WithMessageFilters(filters => filters.AddIncomingFilter(answers.TrackIncoming).AddOutgoingFilter(answers.TrackOutgoing));

        using var host = builder.Build();
        host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.Register(answers.ServerStarted);
        await host.RunAsync();
    }
}

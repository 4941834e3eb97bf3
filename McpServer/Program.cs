using Prynai.McpServer;
using Prynai.McpServer.Configuration;
using Prynai.McpServer.Security;
using Prynai.McpServer.SignIn;
using Prynai.McpServer.State;
using Prynai.McpServer.Transport;

return await StartupFailures.RunAsync(async () =>
{
    if (args.Contains(StdioHost.Switch))
    {
        await StdioHost.RunAsync(args);
        return;
    }

    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, EnvironmentName = HostEnvironment.Chosen(args) });
    builder.Configuration.AddLegacyEnvironmentVariables();

    builder.AddServiceDefaults();
    builder.AddPrynaiSecurity();
    builder.AddPrynaiSignIn();
    builder.AddPrynaiState();
    builder.AddPrynaiMcp();
    builder.AddPrynaiHttpTransport();

    var app = builder.Build();

    app.UsePrynaiSecurity();
    app.MapDefaultEndpoints();
    app.MapProtectedResourceMetadata();
    app.MapPrynaiSignIn();
    app.MapMcpEndpoints();

    await app.RunAsync();
});

/// <summary>Entry point, public so integration tests can host the app (WebApplicationFactory).</summary>
public partial class Program;

using Prynai.McpServer;
using Prynai.McpServer.Configuration;
using Prynai.McpServer.Drain;
using Prynai.McpServer.Notifications;
using Prynai.McpServer.Security;
using Prynai.McpServer.SignIn;
using Prynai.McpServer.State;
using Prynai.McpServer.Transport;
using Prynai.McpServer.Transport.Stdio;

return await StartupFailures.RunAsync(async () =>
{
    if (args.Contains(StdioHost.Switch))
    {
        await StdioHost.RunAsync(args);
        return;
    }
    if (args.Contains(Prynai.McpServer.Support.Data.PrebuiltSupportData.Switch))
    {
        await Prynai.McpServer.Support.Data.PrebuiltSupportData.WriteAsync(args);
        return;
    }

    // Outside Development nothing edits appsettings.json under a running replica: no file watcher (a thread, at start).
    var hostArgs = HostEnvironment.Effective(args) == Environments.Development ? args : [.. args, "--hostBuilder:reloadConfigOnChange=false"];
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = hostArgs, EnvironmentName = HostEnvironment.Chosen(args) });
    builder.Configuration.AddEnvironmentVariableAliases();

    builder.AddServiceDefaults();
    builder.AddPrynaiSecurity();
    builder.AddPrynaiSignIn();
    builder.AddPrynaiState();
    builder.AddPrynaiMcp();
    builder.AddPrynaiNotifications();
    builder.AddPrynaiHttpTransport();
    builder.AddPrynaiDrain();

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

using ModelContextProtocol.AspNetCore;
using Prynai.McpServer;
using Prynai.McpServer.Configuration;
using Prynai.McpServer.Notifications;
using Prynai.McpServer.State;

namespace Prynai.Bench.MapMcpHost;

/// <summary>
/// Prynai's MCP surface on the SDK's <c>MapMcp()</c>: 2026-07-28 requests stateless, initialize-handshake clients
/// (2025-11-25) in sessions — the mode Prynai's own transport serves. Observability and the state store as in Prynai;
/// Prynai's request checks (origin, rate limits, authentication) are not there, which only favours this peer.
/// </summary>
public static class MapMcpHost
{
    public static void Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Configuration.AddEnvironmentVariableAliases();

        builder.AddServiceDefaults();
        builder.AddPrynaiState();
        builder.AddPrynaiNotifications();
        builder.Services.AddAuthorization();
        builder.AddPrynaiMcp().WithHttpTransport(transport => transport.SessionMode = HttpServerSessionMode.StatefulForInitializeClients);

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapMcp("/mcp");
        app.Run();
    }
}

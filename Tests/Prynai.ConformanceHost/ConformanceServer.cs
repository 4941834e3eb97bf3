using Prynai.McpServer;
using Prynai.McpServer.Configuration;
using Prynai.McpServer.Security;
using Prynai.McpServer.State;
using Prynai.McpServer.Transport;

namespace Prynai.ConformanceHost;

/// <summary>
/// The server as McpServer/Program.cs composes it, with the conformance fixtures registered first (the suite calls
/// <c>tools[0]</c> with no arguments and reads <c>resources[0]</c>). <c>ConformanceHostTests</c> checks that it serves
/// everything the product serves, so the two composition roots cannot drift apart unnoticed.
/// </summary>
internal static class ConformanceServer
{
    public static Task<int> Main(string[] args) => StartupFailures.RunAsync(async () =>
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, EnvironmentName = HostEnvironment.Chosen(args) });
        builder.Configuration.AddLegacyEnvironmentVariables();

        builder.Services.AddConformanceFixtures();
        builder.AddServiceDefaults();
        builder.AddPrynaiSecurity();
        builder.AddPrynaiState();
        builder.AddPrynaiMcp();
        builder.AddPrynaiHttpTransport();

        var app = builder.Build();

        app.UsePrynaiSecurity();
        app.MapDefaultEndpoints();
        app.MapProtectedResourceMetadata();
        app.MapMcpEndpoints();

        await app.RunAsync();
    });
}

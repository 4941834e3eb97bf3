using Microsoft.Extensions.Options;
using Prynai.McpServer.Security;
using Prynai.McpServer.Transport.Sessions;
using Prynai.McpServer.Transport.Stateless;

namespace Prynai.McpServer.Transport;

public static class HttpTransportExtensions
{
    /// <summary>Streamable HTTP (both protocol generations), the optional deprecated HTTP+SSE transport, and the idle-session sweep.</summary>
    public static IHostApplicationBuilder AddPrynaiHttpTransport(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<StatelessServerOptions>();
        builder.Services.AddSingleton<StatelessServerPool>();
        builder.Services.AddSingleton<StreamableHttpEndpoint>();
        builder.Services.AddSingleton<SessionMoves>();
        builder.Services.AddSingleton<HttpSseEndpoint>();
        builder.Services.AddHostedService<SessionExpiryService>();
        builder.Services.AddSingleton<Drain.IStreamHandoff>(provider => provider.GetRequiredService<ResidentSessions>());
        builder.Services.AddSingleton<SurfaceWarmup>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<SurfaceWarmup>());
        builder.Services.AddHealthChecks().AddCheck<SurfaceWarmup>(SurfaceWarmup.Name, tags: [Extensions.ReadyTag]);

        builder.Services.AddOptions<RequestOriginOptions>().BindConfiguration(RequestOriginOptions.SectionName);
        builder.Services.AddSingleton<IPostConfigureOptions<RequestOriginOptions>, ContainerAppsHostDefaults>();
        return builder;
    }

    /// <summary>Request checks that must run before any MCP endpoint: Host/Origin validation.</summary>
    public static IApplicationBuilder UseMcpRequestValidation(this IApplicationBuilder app) =>
        app.UseMiddleware<RequestOriginValidationMiddleware>();
}

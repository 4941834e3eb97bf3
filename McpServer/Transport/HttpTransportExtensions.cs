using Prynai.McpServer.Notifications;
using Prynai.McpServer.Transport.Sessions;
using Prynai.McpServer.Transport.Stateless;

namespace Prynai.McpServer.Transport;

public static class HttpTransportExtensions
{
    /// <summary>
    /// Streamable HTTP for both protocol generations — the 2026-07-28 stateless servers, and the sessions of the
    /// handshake revisions with everything that keeps them whole across replicas (records, GET streams and their
    /// notifications, replies and cancellations routed through the store, moves between revisions, idle parking) —
    /// and the optional deprecated HTTP+SSE transport.
    /// </summary>
    public static IHostApplicationBuilder AddPrynaiHttpTransport(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<McpTransportOptions>().BindConfiguration(McpTransportOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton<StatelessServerOptions>();
        services.AddSingleton<StatelessServerPool>();
        services.AddSingleton<SurfaceWarmup>();
        services.AddHostedService(provider => provider.GetRequiredService<SurfaceWarmup>());
        services.AddHealthChecks().AddCheck<SurfaceWarmup>(SurfaceWarmup.Name, tags: [Extensions.ReadyTag]);

        services.AddSingleton<SessionRecords>();
        services.AddSingleton<ResidentSessions>();
        services.AddSingleton<SessionReplyRouter>();
        services.AddSingleton<SessionMoves>();
        services.AddSingleton<INotificationTarget, SessionStreamNotifications>();
        services.AddHostedService<SessionChangeListener>();
        services.AddHostedService<SessionExpiryService>();
        services.AddSingleton<Drain.IStreamHandoff>(provider => provider.GetRequiredService<ResidentSessions>());
        services.AddMcpServer().WithMessageFilters(filters => filters.AddOutgoingFilter(SessionReplyRouter.TrackOutgoing));

        services.AddSingleton<StatelessRequests>();
        services.AddSingleton<SessionRequests>();
        services.AddSingleton<StreamableHttpEndpoint>();
        services.AddSingleton<HttpSseEndpoint>();
        return builder;
    }
}

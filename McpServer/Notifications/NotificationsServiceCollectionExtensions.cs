namespace Prynai.McpServer.Notifications;

public static class NotificationsServiceCollectionExtensions
{
    /// <summary>
    /// Notifications to this replica's clients: resources/subscribe for connections without a session (stdio),
    /// subscriptions/listen streams (2026-07-28), and the fanout of the store's change feed to every kind of stream
    /// (the HTTP transport adds its sessions' GET streams).
    /// </summary>
    public static IHostApplicationBuilder AddPrynaiNotifications(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<ResourceCatalog>();
        services.AddSingleton<ResourceSubscriptionHandlers>();
        services.AddSingleton<DirectSubscriptions>();
        services.AddSingleton<INotificationTarget>(provider => provider.GetRequiredService<DirectSubscriptions>());
        services.AddSingleton<ListenSubscriptions>();
        services.AddSingleton<INotificationTarget>(provider => provider.GetRequiredService<ListenSubscriptions>());
        services.AddHostedService<NotificationFanout>();
        return builder;
    }
}

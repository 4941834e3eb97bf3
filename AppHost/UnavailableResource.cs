using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Prynai.AppHost;

/// <summary>
/// A resource this machine cannot run (Redis without a container runtime or redis-server, the Inspector without
/// Node.js): shown on the dashboard in the state <see cref="State"/> with why and how to fix it, started by nothing,
/// waited for by nothing — so the rest of the application runs.
/// </summary>
internal sealed class UnavailableResource(string name, string reason) : Resource(name)
{
    public const string State = "Not available";

    /// <summary>The dashboard property that carries <see cref="Reason"/>.</summary>
    public const string ReasonProperty = "Why";

    /// <summary>Why it cannot run here and what would make it run, in one sentence or two.</summary>
    public string Reason { get; } = reason;
}

internal static partial class UnavailableResourceExtensions
{
    /// <summary>Adds the placeholder, says why in the AppHost's log, and again in the resource's own log on the dashboard.</summary>
    public static IResourceBuilder<UnavailableResource> AddUnavailable(this IDistributedApplicationBuilder builder, string name, string resourceType,
        string iconName, string reason)
    {
        var resource = builder.AddResource(new UnavailableResource(name, reason))
            .WithIconName(iconName)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = resourceType,
                State = new ResourceStateSnapshot(UnavailableResource.State, KnownResourceStateStyles.Warn),
                Properties = [new ResourcePropertySnapshot(UnavailableResource.ReasonProperty, reason)],
            });
        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Prynai.AppHost").NotAvailable(name, reason);
            @event.Services.GetRequiredService<ResourceLoggerService>().GetLogger(resource.Resource).NotAvailable(name, reason);
            return Task.CompletedTask;
        });
        return resource;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "'{Name}' is not running: {Reason}")]
    private static partial void NotAvailable(this ILogger logger, string name, string reason);
}

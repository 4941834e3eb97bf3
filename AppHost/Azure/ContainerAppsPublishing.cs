using Azure.Provisioning.AppContainers;
using Microsoft.Extensions.Configuration;

namespace Prynai.AppHost;

/// <summary>How the MCP server's container app scales (section <c>ContainerApp</c> of the AppHost's configuration).</summary>
internal sealed class ContainerAppScaling
{
    /// <summary>At least one replica: no cold start for agents, and a revision's own FQDN answers the smoke test.</summary>
    public int MinReplicas { get; set; } = 1;

    public int MaxReplicas { get; set; } = 10;

    /// <summary>Concurrent HTTP requests per replica before ACA adds one (open SSE streams count while they last).</summary>
    public int ConcurrentRequests { get; set; } = 100;
}

internal static class ContainerAppsPublishing
{
    /// <summary>
    /// Multiple-revision mode (a new revision gets traffic only when deploy/rollout promotes it), replicas between the
    /// configured bounds with an HTTP concurrency rule, and probes on /livez. Readiness uses /livez too, not /healthz:
    /// a store outage degrades /healthz, and taking every replica out of rotation would turn clear tool errors into
    /// an outage of the whole endpoint.
    /// </summary>
    public static IResourceBuilder<ProjectResource> PublishAsScaledContainerApp(this IResourceBuilder<ProjectResource> server)
    {
        var scaling = server.ApplicationBuilder.Configuration.GetSection("ContainerApp").Get<ContainerAppScaling>() ?? new();
        return server.WithContainerHttpPort().PublishAsAzureContainerApp((_, app) =>
        {
            app.Configuration.ActiveRevisionsMode = ContainerAppActiveRevisionsMode.Multiple;
            app.Template.Scale.MinReplicas = scaling.MinReplicas;
            app.Template.Scale.MaxReplicas = scaling.MaxReplicas;
            app.Template.Scale.Rules.Add(new ContainerAppScaleRule
            {
                Name = "http-concurrency",
                Http = new ContainerAppHttpScaleRule
                {
                    Metadata = { ["concurrentRequests"] = scaling.ConcurrentRequests.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                },
            });
            var container = app.Template.Containers.Single().Value!;
            container.Probes.Add(Probe(ContainerAppProbeType.Liveness));
            container.Probes.Add(Probe(ContainerAppProbeType.Readiness));
        });
    }

    /// <summary>A manually triggered job (<c>az containerapp job start</c>) that runs the smoke test once and exits.</summary>
    public static IResourceBuilder<ProjectResource> PublishAsSmokeJob(this IResourceBuilder<ProjectResource> client) =>
        client.PublishAsAzureContainerAppJob((_, job) =>
        {
            job.Configuration.ReplicaTimeout = 300;
            job.Configuration.ReplicaRetryLimit = 0;
        });

    private static ContainerAppProbe Probe(ContainerAppProbeType type) => new()
    {
        ProbeType = type,
        HttpGet = new ContainerAppHttpRequestInfo { Path = "/livez", Port = ServerContainer.HttpPort, Scheme = ContainerAppHttpScheme.Http },
        PeriodSeconds = 10,
        FailureThreshold = 3,
    };
}

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

    /// <summary>
    /// Seconds between SIGTERM and SIGKILL for a replica ACA stops (a deactivated revision, a scale-in); the server's
    /// drain (Drain:GracePeriod, given the same value) finishes its work and exits before it ends.
    /// </summary>
    public int TerminationGracePeriodSeconds { get; set; } = 30;
}

internal static class ContainerAppsPublishing
{
    /// <summary>
    /// Multiple-revision mode (a new revision gets traffic only when deploy/rollout promotes it), replicas between the
    /// configured bounds with an HTTP concurrency rule, the termination grace period the server's drain is told too,
    /// liveness on /livez and readiness on /readyz. Readiness is not /healthz: a store outage degrades /healthz, and
    /// taking every replica out of rotation would turn clear tool errors into an outage of the whole endpoint; /readyz
    /// says no while the replica drains or its data is not in place yet.
    /// </summary>
    /// <remarks>
    /// Not compiled on the machine this repository is built on (Aspire.Hosting.Azure.* and Azure.Provisioning.* are not
    /// served there): <c>ContainerAppTemplate.TerminationGracePeriodSeconds</c> (a <c>BicepValue&lt;long&gt;</c>) and the
    /// environment variable are written against Azure.Provisioning.AppContainers' public model, unverified.
    /// </remarks>
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
            app.Template.TerminationGracePeriodSeconds = scaling.TerminationGracePeriodSeconds;
            var container = app.Template.Containers.Single().Value!;
            container.Env.Add(new ContainerAppEnvironmentVariable
            {
                Name = "Drain__GracePeriod",
                Value = TimeSpan.FromSeconds(scaling.TerminationGracePeriodSeconds).ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            });
            container.Probes.Add(Probe(ContainerAppProbeType.Liveness, "/livez"));
            container.Probes.Add(Probe(ContainerAppProbeType.Readiness, "/readyz"));
        });
    }

    /// <summary>A manually triggered job (<c>az containerapp job start</c>) that runs the smoke test once and exits.</summary>
    public static IResourceBuilder<ProjectResource> PublishAsSmokeJob(this IResourceBuilder<ProjectResource> client) =>
        client.PublishAsAzureContainerAppJob((_, job) =>
        {
            job.Configuration.ReplicaTimeout = 300;
            job.Configuration.ReplicaRetryLimit = 0;
        });

    private static ContainerAppProbe Probe(ContainerAppProbeType type, string path) => new()
    {
        ProbeType = type,
        HttpGet = new ContainerAppHttpRequestInfo { Path = path, Port = ServerContainer.HttpPort, Scheme = ContainerAppHttpScheme.Http },
        PeriodSeconds = 10,
        FailureThreshold = 3,
    };
}

using Microsoft.Extensions.Configuration;
using Prynai.Tests.Telemetry;

namespace Prynai.AppHost.Tests.Infrastructure;

/// <summary>
/// The AppHost as F5 starts it (DCP, Redis, the server; the smoke client waiting for its start command), started once
/// per test collection, with the server healthy. The server's OTLP exporter points at a receiver the tests read,
/// in place of the dashboard (Aspire.Hosting.Testing leaves the dashboard out).
/// </summary>
public abstract class RunningAppHost(int replicas) : IAsyncLifetime
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);

    private DistributedApplication? _app;
    private OtlpReceiver? _telemetry;

    public int Replicas => replicas;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The AppHost did not start.");

    public OtlpReceiver Telemetry => _telemetry ?? throw new InvalidOperationException("The AppHost did not start.");

    /// <summary>The server's /mcp through the endpoint Aspire allocated (its proxy, in front of every replica).</summary>
    public Uri McpEndpoint => new(App.GetEndpoint("mcp", "http"), "/mcp");

    /// <summary>
    /// The service.instance.id each server replica's telemetry carries (OTEL_RESOURCE_ATTRIBUTES, which DCP fills in
    /// per replica).
    /// </summary>
    public async Task<IReadOnlyList<string>> ReplicaInstanceIdsAsync(CancellationToken cancellationToken)
    {
        var ids = new Dictionary<string, string>();
        await foreach (var resourceEvent in App.ResourceNotifications.WatchAsync(cancellationToken))
        {
            if (resourceEvent.Resource.Name == "mcp" && resourceEvent.Snapshot.State?.Text == KnownResourceStates.Running &&
                resourceEvent.Snapshot.EnvironmentVariables.FirstOrDefault(variable => variable.Name == "OTEL_RESOURCE_ATTRIBUTES")?.Value is { } attributes)
            {
                ids[resourceEvent.ResourceId] = attributes.Split(',').Select(pair => pair.Split('=', 2)).Single(pair => pair[0] == "service.instance.id")[1];
                if (ids.Count == Replicas)
                {
                    break;
                }
            }
        }
        return [.. ids.Values];
    }

    public async ValueTask InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        _telemetry = await OtlpReceiver.StartAsync();
        // Node 22 from Tests/package.json first on the AppHost's PATH, so its Inspector can run (the machine's may be older).
        await NodeTooling.EnsureInstalledAsync();
        var path = Path.GetDirectoryName(RepositoryPaths.Node22) + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>([$"--McpReplicas={replicas}", $"--PATH={path}"], timeout.Token);

        // The AppHost's launch profile names the dashboard's OTLP/gRPC endpoint; the receiver speaks OTLP/HTTP.
        builder.Configuration["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = null;
        builder.Configuration["DOTNET_DASHBOARD_OTLP_ENDPOINT_URL"] = null;
        builder.Configuration["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] = _telemetry.Endpoint;

        _app = await builder.BuildAsync(timeout.Token);
        try
        {
            await _app.StartAsync(timeout.Token);
            await WaitUntilEveryReplicaIsHealthyAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"The AppHost was not healthy within {StartTimeout.TotalMinutes} minutes:\n{await DescribeResourcesAsync()}");
        }
    }

    /// <summary>Each resource instance's state and health, for a start that did not finish.</summary>
    private async Task<string> DescribeResourcesAsync()
    {
        var latest = new Dictionary<string, string>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await foreach (var resourceEvent in App.ResourceNotifications.WatchAsync(stop.Token))
            {
                var snapshot = resourceEvent.Snapshot;
                latest[resourceEvent.ResourceId] = $"{resourceEvent.ResourceId}: {snapshot.State?.Text ?? "(no state)"}, health {snapshot.HealthStatus?.ToString() ?? "unknown"}" +
                    (snapshot.ExitCode is { } exitCode ? $", exit code {exitCode}" : "");
            }
        }
        catch (OperationCanceledException)
        {
            // WatchAsync replays the current state of every resource first; two seconds is plenty for that.
        }
        return string.Join('\n', latest.Values.Order());
    }

    /// <summary>
    /// Waiting for "mcp" to be healthy returns with the first healthy replica; the proxy sends requests to every
    /// replica, so the tests start once all of them are.
    /// </summary>
    private async Task WaitUntilEveryReplicaIsHealthyAsync(CancellationToken cancellationToken)
    {
        var healthy = new HashSet<string>();
        await foreach (var resourceEvent in App.ResourceNotifications.WatchAsync(cancellationToken))
        {
            if (resourceEvent.Resource.Name == "mcp" && resourceEvent.Snapshot.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy)
            {
                healthy.Add(resourceEvent.ResourceId);
                if (healthy.Count == replicas)
                {
                    return;
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        if (_telemetry is not null)
        {
            await _telemetry.DisposeAsync();
        }
        GC.SuppressFinalize(this);
    }
}

/// <summary>The AppHost as F5 starts it: one server process.</summary>
public sealed class OneReplicaAppHost() : RunningAppHost(replicas: 1);

/// <summary>The same AppHost with <c>McpReplicas=2</c>: two server processes behind Aspire's proxy, one Redis.</summary>
public sealed class TwoReplicaAppHost() : RunningAppHost(replicas: 2);

[CollectionDefinition(Name)]
public sealed class AppHostCollection : ICollectionFixture<OneReplicaAppHost>
{
    public const string Name = "AppHost";
}

[CollectionDefinition(Name)]
public sealed class TwoReplicaCollection : ICollectionFixture<TwoReplicaAppHost>
{
    public const string Name = "AppHost with two replicas";
}

using Microsoft.Extensions.Logging.Abstractions;
using Prynai.AppHost.Tests.Infrastructure;

namespace Prynai.AppHost.Tests;

/// <summary>
/// The AppHost's settings, checked on the application model it builds (nothing is started): how Redis runs, Cosmos DB
/// from a connection string, replicas, what a machine without Redis or Node.js gets.
/// </summary>
public sealed class AppHostModelTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("Process", typeof(RedisServerResource))]
    [InlineData("Container", typeof(RedisResource))]
    public async Task CacheRunAs_ForcesHowRedisRuns(string runAs, Type expected)
    {
        await using var app = await BuildAsync($"--Cache:RunAs={runAs}");

        Assert.IsType(expected, Resource(app, "cache"));
    }

    [Fact]
    public async Task UseCosmos_TakesTheAccountFromConnectionStringsCosmos_AndMakesItTheServersStore()
    {
        const string account = "AccountEndpoint=http://127.0.0.1:8081/;AccountKey=a2V5;";
        await using var app = await BuildAsync("--UseCosmos=true", $"--ConnectionStrings:cosmos={account}");

        var cosmos = Assert.IsAssignableFrom<IResourceWithConnectionString>(Resource(app, "cosmos"));
        Assert.Equal(account, await cosmos.GetConnectionStringAsync(Cancellation));
        var server = (IResourceWithEnvironment)Resource(app, "mcp");
        var configuration = await ExecutionConfigurationBuilder.Create(server).WithEnvironmentVariablesConfig()
            .BuildAsync(app.Services.GetRequiredService<DistributedApplicationExecutionContext>(), NullLogger.Instance, Cancellation);
        var environment = configuration.EnvironmentVariables.ToDictionary(pair => pair.Key, pair => pair.Value);
        Assert.Equal(account, environment["ConnectionStrings__cosmos"]);
        Assert.Equal("Gateway", environment["State__Cosmos__ConnectionMode"]);
        Assert.Equal("true", environment["State__Cosmos__LimitToEndpoint"]);
        Assert.Equal("prynai", environment["State__Cosmos__DatabaseName"]);
        Assert.Equal("contoso", environment["Support__CosmosDatabaseName"]);
        Assert.Contains(server.Annotations.OfType<WaitAnnotation>(), wait => wait.Resource.Name == "cosmos");
    }

    [Fact]
    public async Task McpReplicasBelowOne_IsRefusedWithAClearMessage()
    {
        var error = await Assert.ThrowsAsync<AppHostSettingException>(() => BuildAsync("--McpReplicas=0"));

        Assert.Equal("McpReplicas must be at least 1 (it is 0).", error.Message);
    }

    [Fact]
    public async Task WithoutAContainerRuntimeOrRedisServer_CacheSaysWhy_AndTheServerKeepsItsStateInSqlite()
    {
        using var path = ProgramsHidden.Create(ProgramsHidden.SdkOnlyMachine);
        await using var app = await BuildAsync($"--PATH={path.Path}");

        var cache = Assert.IsType<UnavailableResource>(Resource(app, "cache"));
        Assert.StartsWith("no container runtime answered (docker is not on PATH) and redis-server is not on PATH; the server keeps its state in its " +
            "embedded SQLite file and runs as one replica. To run Redis, install it (apt install redis-server, brew install redis) or start Docker or Podman.", cache.Reason);
        var shown = cache.Annotations.OfType<ResourceSnapshotAnnotation>().Single().InitialSnapshot;
        Assert.Equal(UnavailableResource.State, shown.State?.Text);
        Assert.Equal(cache.Reason, shown.Properties.Single(property => property.Name == UnavailableResource.ReasonProperty).Value);

        var server = (IResourceWithEnvironment)Resource(app, "mcp");
        Assert.DoesNotContain("ConnectionStrings__cache", (await EnvironmentAsync(app, server)).Keys);
        Assert.DoesNotContain(server.Annotations.OfType<WaitAnnotation>(), wait => wait.Resource.Name == "cache");
        Assert.Empty(server.Annotations.OfType<ReplicaAnnotation>());
    }

    [Fact]
    public async Task WithoutNodeJs_InspectorSaysWhy()
    {
        using var path = ProgramsHidden.Create("node", "nodejs", "npm", "npx");
        await using var app = await BuildAsync($"--PATH={path.Path}");

        var inspector = Assert.IsType<UnavailableResource>(Resource(app, "inspector"));
        Assert.Equal("Node.js is not on PATH. Install Node.js 22.19.0 or later (with npm), then restart the AppHost; the Inspector installs itself " +
            "from AppHost/Inspector/package-lock.json on its first start.", inspector.Reason);
        Assert.IsType<RedisServerResource>(Resource(app, "cache"));
    }

    [Fact]
    public async Task McpReplicasAboveOneWithoutASharedStore_IsRefused()
    {
        using var path = ProgramsHidden.Create(ProgramsHidden.SdkOnlyMachine);

        var error = await Assert.ThrowsAsync<AppHostSettingException>(() => BuildAsync($"--PATH={path.Path}", "--McpReplicas=2"));

        Assert.StartsWith("McpReplicas=2 needs a store the replicas share", error.Message);
    }

    [Fact]
    public async Task WithoutRedis_CosmosDbIsStillAStoreReplicasShare()
    {
        using var path = ProgramsHidden.Create(ProgramsHidden.SdkOnlyMachine);
        await using var app = await BuildAsync($"--PATH={path.Path}", "--McpReplicas=2", "--UseCosmos=true",
            "--ConnectionStrings:cosmos=AccountEndpoint=http://127.0.0.1:8081/;AccountKey=a2V5;");

        Assert.Equal(2, Resource(app, "mcp").Annotations.OfType<ReplicaAnnotation>().Single().Replicas);
    }

    private static async Task<Dictionary<string, string>> EnvironmentAsync(DistributedApplication app, IResourceWithEnvironment resource)
    {
        var configuration = await ExecutionConfigurationBuilder.Create(resource).WithEnvironmentVariablesConfig()
            .BuildAsync(app.Services.GetRequiredService<DistributedApplicationExecutionContext>(), NullLogger.Instance, Cancellation);
        return configuration.EnvironmentVariables.ToDictionary(pair => pair.Key, pair => pair.Value);
    }

    private static async Task<DistributedApplication> BuildAsync(params string[] args)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(args, Cancellation);
        return await builder.BuildAsync(Cancellation);
    }

    private static IResource Resource(DistributedApplication app, string name) =>
        app.Services.GetRequiredService<DistributedApplicationModel>().Resources.Single(resource => resource.Name == name);
}

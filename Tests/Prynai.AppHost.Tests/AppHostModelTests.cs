using Microsoft.Extensions.Logging.Abstractions;

namespace Prynai.AppHost.Tests;

/// <summary>
/// The AppHost's settings, checked on the application model it builds (nothing is started): how Redis runs, Cosmos DB
/// from a connection string, replicas.
/// </summary>
public sealed class AppHostModelTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("Process", typeof(RedisServerResource))]
    [InlineData("Container", typeof(RedisResource))]
    public async Task Cache_RunAs_forces_how_Redis_runs(string runAs, Type expected)
    {
        await using var app = await BuildAsync($"--Cache:RunAs={runAs}");

        Assert.IsType(expected, Resource(app, "cache"));
    }

    [Fact]
    public async Task UseCosmos_takes_the_account_from_ConnectionStrings_cosmos_and_makes_it_the_servers_store()
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
    public async Task McpReplicas_below_one_is_refused_with_a_clear_message()
    {
        var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => BuildAsync("--McpReplicas=0"));

        Assert.Contains("McpReplicas must be at least 1", error.Message);
    }

    private static async Task<DistributedApplication> BuildAsync(params string[] args)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(args, Cancellation);
        return await builder.BuildAsync(Cancellation);
    }

    private static IResource Resource(DistributedApplication app, string name) =>
        app.Services.GetRequiredService<DistributedApplicationModel>().Resources.Single(resource => resource.Name == name);
}

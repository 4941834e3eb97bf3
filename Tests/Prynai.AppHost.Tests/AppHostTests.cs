using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Prynai.AppHost.Tests.Infrastructure;

namespace Prynai.AppHost.Tests;

/// <summary>
/// F5 as a test: the AppHost starts Redis and the server, the server turns healthy on Redis, MCP works through the
/// endpoint Aspire allocated on both protocol generations, and the dashboard's "smoke" resource exits with 0.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class AppHostTests(OneReplicaAppHost host)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Server_IsHealthy_AndItsHealthzReportsTheRedisStore()
    {
        await host.App.ResourceNotifications.WaitForResourceHealthyAsync("cache", Cancellation);
        using var http = host.App.CreateHttpClient("mcp");
        var body = await http.GetStringAsync("/healthz", Cancellation);

        Assert.Contains("\"status\":\"ok\"", body);
        Assert.Contains("\"redis\":true", body);
        Assert.Contains("\"store\":\"redis\"", body);
    }

    [Fact]
    public void Redis_RunsAsAContainer_OnlyWhenTheContainerRuntimeAnswers()
    {
        var model = host.App.Services.GetRequiredService<DistributedApplicationModel>();
        var cache = model.Resources.Single(resource => resource.Name == "cache");
        var runtime = ContainerRuntime.Probe(host.App.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>());

        if (runtime.Answers)
        {
            Assert.IsType<RedisResource>(cache);
        }
        else
        {
            var process = Assert.IsType<RedisServerResource>(cache);
            Assert.EndsWith("redis-server", Path.GetFileNameWithoutExtension(process.Command));
        }
    }

    [Theory]
    [InlineData(McpClients.Stateless)]
    [InlineData(McpClients.Session)]
    public async Task Mcp_WorksThroughTheAppHostsEndpoint(string protocolVersion)
    {
        await using var client = await McpClients.ConnectAsync(host.McpEndpoint, protocolVersion, cancellationToken: Cancellation);

        Assert.Equal(protocolVersion, client.NegotiatedProtocolVersion);
        if (protocolVersion == McpClients.Session)
        {
            Assert.False(string.IsNullOrEmpty(client.SessionId), "a 2025-11-25 client has a session");
        }
        else
        {
            Assert.True(string.IsNullOrEmpty(client.SessionId), "a 2026-07-28 client has no session");
        }

        var tools = await client.ListToolsAsync(cancellationToken: Cancellation);
        Assert.Contains(tools, tool => tool.Name == "add");
        Assert.Contains(tools, tool => tool.Name == "bump_counter");

        var sum = await client.CallToolAsync("add", new Dictionary<string, object?> { ["a"] = 2, ["b"] = 3 }, cancellationToken: Cancellation);
        Assert.NotEqual(true, sum.IsError);
        Assert.Equal(5, sum.StructuredContent!.Value.GetProperty("result").GetDouble());

        var info = await client.ReadResourceAsync("prynai://server-info", cancellationToken: Cancellation);
        var text = Assert.IsType<TextResourceContents>(Assert.Single(info.Contents)).Text;
        Assert.Contains("redis", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task SmokeResourceStartedByItsCommand_ExitsWithZero()
    {
        var model = host.App.Services.GetRequiredService<DistributedApplicationModel>();
        var smoke = model.Resources.Single(resource => resource.Name == "smoke");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));

        var started = await host.App.Services.GetRequiredService<ResourceCommandService>()
            .ExecuteCommandAsync(smoke, KnownCommands.Start, timeout.Token);
        Assert.True(started.Success, started.Message);

        var finished = await host.App.ResourceNotifications.WaitForResourceAsync("smoke",
            resourceEvent => KnownResourceStates.TerminalStates.Contains(resourceEvent.Snapshot.State?.Text) && resourceEvent.Snapshot.ExitCode is not null,
            timeout.Token);
        Assert.Equal(0, finished.Snapshot.ExitCode);
    }

    [Fact]
    public async Task ServersTelemetry_GoesToTheOtlpEndpointTheAppHostGivesIt()
    {
        var server = await host.App.ResourceNotifications.WaitForResourceHealthyAsync("mcp", Cancellation);
        var environment = server.Snapshot.EnvironmentVariables.ToDictionary(variable => variable.Name, variable => variable.Value);
        Assert.Equal(host.Telemetry.Endpoint, environment["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Equal("http/protobuf", environment["OTEL_EXPORTER_OTLP_PROTOCOL"]);
        Assert.Equal("mcp", environment["OTEL_SERVICE_NAME"]);

        await using var client = await McpClients.ConnectAsync(host.McpEndpoint, McpClients.Stateless, cancellationToken: Cancellation);
        var marker = Random.Shared.Next(1_000_000, 9_999_999);
        await client.CallToolAsync("add", new Dictionary<string, object?> { ["a"] = marker, ["b"] = 0 }, cancellationToken: Cancellation);

        await Eventually.TrueAsync(() => host.Telemetry.Received("traces").Contains("tools/call add"), "a tools/call add span at the receiver");
        var traces = host.Telemetry.Received("traces");
        Assert.Contains("mcp", traces);
        await Eventually.TrueAsync(() => host.Telemetry.Received("metrics").Contains("mcp.server.operation.duration"), "MCP metrics at the receiver");
    }

    [Fact]
    public void WithoutUseCosmos_AppHostRunsRedisTheServerAndTheSmokeClient_AndNoCosmosDb()
    {
        var names = host.App.Services.GetRequiredService<DistributedApplicationModel>().Resources.Select(resource => resource.Name).ToList();
        Assert.Contains("cache", names);
        Assert.Contains("mcp", names);
        Assert.Contains("smoke", names);
        Assert.DoesNotContain("cosmos", names);
    }

    /// <summary>The dashboard's command names (Aspire's KnownResourceCommands is internal).</summary>
    private static class KnownCommands
    {
        public const string Start = "resource-start";
    }
}

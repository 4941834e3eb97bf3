using Prynai.SmokeClient.Connection;
using Prynai.SmokeClient.Smoke;

namespace Prynai.AppHost.Tests;

/// <summary>
/// F5 as a test: the AppHost starts Redis and the MCP server, the server turns healthy, the smoke flow passes over
/// the endpoint Aspire gives it, and the dashboard's "smoke" resource, started on demand, exits with 0.
/// </summary>
public sealed class AppHostTests(RunningAppHost host) : IClassFixture<RunningAppHost>
{
    private DistributedApplication App => host.App;

    [Fact]
    public async Task The_server_reports_healthy_on_redis()
    {
        using var http = App.CreateHttpClient("mcp");
        var body = await http.GetStringAsync("/healthz", TestContext.Current.CancellationToken);

        Assert.Contains("\"status\":\"ok\"", body);
        Assert.Contains("\"store\":\"redis\"", body);
    }

    [Fact]
    public async Task The_smoke_flow_passes_against_the_endpoint_Aspire_allocated()
    {
        using var http = App.CreateHttpClient("mcp");
        var output = new StringWriter();
        var report = new SmokeReport(output, output);
        var settings = new ConnectionSettings(new Uri(http.BaseAddress!, "/mcp"), ProtocolVersion: null, AccessToken: null, Sampling: true);

        var exitCode = await new SmokeRun(settings, report).RunAsync(TestContext.Current.CancellationToken);

        Assert.True(exitCode == 0, output.ToString());
        Assert.Contains("SMOKE: PASS", output.ToString());
    }

    [Fact]
    public async Task The_smoke_resource_started_from_the_dashboard_exits_with_zero()
    {
        var model = App.Services.GetRequiredService<DistributedApplicationModel>();
        var smoke = model.Resources.Single(resource => resource.Name == "smoke");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(RunningAppHost.StartTimeout);

        var started = await App.Services.GetRequiredService<ResourceCommandService>()
            .ExecuteCommandAsync(smoke, KnownCommands.Start, timeout.Token);
        Assert.True(started.Success, started.ErrorMessage);

        var finished = await App.ResourceNotifications.WaitForResourceAsync("smoke",
            resourceEvent => KnownResourceStates.TerminalStates.Contains(resourceEvent.Snapshot.State?.Text) && resourceEvent.Snapshot.ExitCode is not null,
            timeout.Token);
        Assert.Equal(0, finished.Snapshot.ExitCode);
    }

    /// <summary>The dashboard's command names (Aspire's KnownResourceCommands is internal).</summary>
    private static class KnownCommands
    {
        public const string Start = "resource-start";
    }
}

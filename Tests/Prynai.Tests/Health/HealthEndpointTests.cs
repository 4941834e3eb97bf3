using System.Net;
using System.Text.Json;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Health;

public sealed class HealthEndpointTests
{
    [Fact]
    public async Task Healthz_ReportsTheStore()
    {
        using var server = new PrynaiServerFactory();
        using var response = await server.CreateClient().GetAsync("/healthz", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("ok", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("sqlite", body.RootElement.GetProperty("store").GetString());
        Assert.True(body.RootElement.GetProperty("sqlite").GetBoolean());
    }

    [Fact]
    public async Task Healthz_WhenTheStoreCannotBeOpened_Is503NamingIt_WhileLivezStays200()
    {
        using var blocker = new TempDirectory();
        // A regular file where the database's directory should be: SQLite cannot create its file.
        File.WriteAllText(blocker.File("not-a-directory"), "");
        using var server = new PrynaiServerFactory(new Dictionary<string, string?> { ["State:SqlitePath"] = blocker.File("not-a-directory/prynai.db") });
        var client = server.CreateClient();

        using var health = await client.GetAsync("/healthz", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        using var body = JsonDocument.Parse(await health.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("degraded", body.RootElement.GetProperty("status").GetString());
        Assert.False(body.RootElement.GetProperty("sqlite").GetBoolean());

        using var live = await client.GetAsync("/livez", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("""{"status":"ok","self":true}""", await live.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Readyz_IsReadyWhileTheSharedStoreIsDown_ButNotWithoutTheSupportDesksData()
    {
        using var blocker = new TempDirectory();
        File.WriteAllText(blocker.File("not-a-directory"), "");

        // A store outage degrades /healthz, not /readyz: taking every replica out of rotation would turn clear tool
        // errors into an outage of the whole endpoint.
        using (var storeDown = new PrynaiServerFactory(new Dictionary<string, string?> { ["State:SqlitePath"] = blocker.File("not-a-directory/prynai.db") }))
        {
            var client = storeDown.CreateClient();
            using var ready = await client.GetAsync("/readyz", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.Equal("""{"status":"ok","support":true,"tools":true,"serving":true}""", await ready.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        // Without its data the support desk's tools answer "unavailable": not ready, on both probes.
        using var supportDown = new PrynaiServerFactory(new Dictionary<string, string?> { ["Support:SqlitePath"] = blocker.File("not-a-directory/contoso.db") });
        var http = supportDown.CreateClient();
        foreach (var path in new[] { "/readyz", "/healthz" })
        {
            using var response = await http.GetAsync(path, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            Assert.False(body.RootElement.GetProperty("support").GetBoolean());
            Assert.Contains("not in place yet", body.RootElement.GetProperty("support_error").GetString());
        }
    }

    [Fact]
    public async Task Tools_WhenTheStoreIsDown_ReturnAClearToolError_AndOtherToolsStillWork()
    {
        using var blocker = new TempDirectory();
        File.WriteAllText(blocker.File("not-a-directory"), "");
        using var server = new PrynaiServerFactory(new Dictionary<string, string?> { ["State:SqlitePath"] = blocker.File("not-a-directory/prynai.db") });
        await using var client = await server.ConnectAsync();

        var bump = await client.CallToolAsync("bump_counter", cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(bump.IsError);
        Assert.Equal("Tool 'bump_counter' could not run: The sqlite state store is unavailable; try again shortly.", McpClientCalls.Text(bump));

        Assert.Equal(3, await McpClientCalls.NumberAsync(client, "add", 1, 2));
    }
}

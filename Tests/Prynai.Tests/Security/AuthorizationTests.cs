using System.Net;
using System.Net.Http.Headers;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Security;

/// <summary>What an authenticated caller may do: per-tool roles, session ownership, rate limits.</summary>
public sealed class AuthorizationTests(IssuerFixture fixture) : IClassFixture<IssuerFixture>
{
    private TestOidcIssuer Issuer => fixture.Issuer;

    [Theory]
    [InlineData("2026-07-28")]
    [InlineData("2025-11-25")]
    public async Task ResetCounter_IsHiddenAndRefusedWithoutMcpAdmin_AndWorksWithIt(string protocol)
    {
        using var server = fixture.Server();

        await using (var reader = await server.ConnectAsync(protocol, token: Issuer.Mint(roles: ["MCP.Access"])))
        {
            Assert.DoesNotContain("reset_counter", (await reader.ListToolsAsync(cancellationToken: Ct)).Select(t => t.Name));
            var refused = await Assert.ThrowsAsync<ModelContextProtocol.McpProtocolException>(async () =>
                await reader.CallToolAsync("reset_counter", cancellationToken: Ct));
            Assert.Contains("requires the app role Mcp.Admin", refused.Message);
        }

        await using var admin = await server.ConnectAsync(protocol, token: Issuer.Mint(roles: ["MCP.Access", "Mcp.Admin"]));
        Assert.Contains("reset_counter", (await admin.ListToolsAsync(cancellationToken: Ct)).Select(t => t.Name));
        await admin.CallToolAsync("set_counter", new Dictionary<string, object?> { ["value"] = 9 }, cancellationToken: Ct);
        var reset = await admin.CallToolAsync("reset_counter", cancellationToken: Ct);
        Assert.Equal(0, reset.StructuredContent!.Value.GetProperty("value").GetInt64());
        Assert.Equal("0", await McpClientCalls.ReadTextAsync(admin, "prynai://counter"));
    }

    [Fact]
    public async Task ResetCounter_IsHiddenFromAnonymousCallers_WhenAuthIsOff()
    {
        using var server = new PrynaiServerFactory();
        await using var client = await server.ConnectAsync();
        Assert.DoesNotContain("reset_counter", (await client.ListToolsAsync(cancellationToken: Ct)).Select(t => t.Name));
    }

    [Fact]
    public async Task Session_PresentedByAnotherIdentity_Is403_NeverServed()
    {
        using var server = fixture.Server();
        var http = server.CreateClient();
        var owner = Issuer.Mint(subject: "owner-oid");
        var intruder = Issuer.Mint(subject: "intruder-oid");

        var initialize = McpHttp.Initialize();
        initialize.Headers.Authorization = new AuthenticationHeaderValue("Bearer", owner);
        using var created = await http.SendAsync(initialize, Ct);
        var sessionId = created.Headers.GetValues("Mcp-Session-Id").Single();

        foreach (var request in new[]
                 {
                     McpHttp.SessionRequest(sessionId, "tools/list", id: 2),
                     McpSessions.Request(HttpMethod.Get, sessionId),
                     McpSessions.Request(HttpMethod.Delete, sessionId),
                 })
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", intruder);
            using var response = await http.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        var own = McpHttp.SessionRequest(sessionId, "tools/list", id: 3);
        own.Headers.Authorization = new AuthenticationHeaderValue("Bearer", owner);
        using var served = await http.SendAsync(own, Ct);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task RateLimit_Answers429WithRetryAfter_PerCaller_AndRecovers()
    {
        using var server = fixture.Server(new Dictionary<string, string?>
        {
            ["Security:RateLimit:Enabled"] = "true",
            ["Security:RateLimit:RequestsPerSecond"] = "1",
            ["Security:RateLimit:Burst"] = "3",
        });
        var busy = Issuer.Mint(appId: "busy-app");
        var other = Issuer.Mint(appId: "other-app");

        // Until the first 429. The bucket starts with the burst and gains one token a second on the real clock, so on a
        // busy machine a slow run of requests may earn a few more: bounded by the time they took.
        var statuses = new List<HttpStatusCode>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (statuses.LastOrDefault() != HttpStatusCode.TooManyRequests && statuses.Count < 30)
        {
            using var response = await StatelessCalls.ListToolsAsync(server, busy);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
            }
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        Assert.All(statuses[..^1], status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.InRange(statuses.Count - 1, 3, 3 + (int)clock.Elapsed.TotalSeconds + 1);

        using (var unaffected = await StatelessCalls.ListToolsAsync(server, other))
        {
            Assert.Equal(HttpStatusCode.OK, unaffected.StatusCode);
        }
        using (var health = await server.CreateClient().GetAsync("/healthz", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        await Task.Delay(TimeSpan.FromSeconds(1.1), Ct);
        using var recovered = await StatelessCalls.ListToolsAsync(server, busy);
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
    }

    [Fact]
    public async Task ConcurrencyCap_RefusesRequestsBeyondIt_WithRetryAfter()
    {
        using var server = new PrynaiServerFactory(new Dictionary<string, string?>
        {
            ["Security:RateLimit:Enabled"] = "true",
            ["Security:RateLimit:MaxConcurrentRequests"] = "1",
            ["Tools:StepDelay"] = "00:00:00.050",
        });
        var http = server.CreateClient();
        var slow = http.SendAsync(McpHttp.StatelessRequest("tools/call",
            new System.Text.Json.Nodes.JsonObject { ["name"] = "long_task", ["arguments"] = new System.Text.Json.Nodes.JsonObject { ["steps"] = 10 } },
            name: "long_task"), Ct);
        await Task.Delay(150, Ct);

        using (var refused = await http.SendAsync(McpHttp.StatelessRequest("tools/list"), Ct))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
        }
        using (var finished = await slow)
        {
            Assert.Equal(HttpStatusCode.OK, finished.StatusCode);
            await finished.Content.ReadAsStringAsync(Ct);
        }
        using var after = await http.SendAsync(McpHttp.StatelessRequest("tools/list"), Ct);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}

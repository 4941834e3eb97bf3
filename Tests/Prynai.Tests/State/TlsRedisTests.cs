using System.Net;
using System.Text.Json.Nodes;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.State;

/// <summary>
/// Redis as the Azure flavour deploys it (Azure Managed Redis): TLS only, an access key, and the connection string in
/// the form Aspire injects there, <c>host:port,ssl=true,password=…</c> (port 10000 in Azure, a free one here). The
/// redis-server's certificate comes from the test's own CA, which the server trusts for that connection only
/// (<c>State:RedisTrustedCaCertificate</c>): TLS is verified, not switched off.
/// </summary>
public sealed class TlsRedisTests
{
    private const string AccessKey = "managed-redis-access-key";

    [Fact]
    public async Task ConcurrentBumps_OverTlsWithAnAccessKey_SumExactly()
    {
        await using var redis = await RedisServer.StartAsync(password: AccessKey, tls: true);
        Assert.Matches(@"^localhost:\d+,ssl=true,password=managed-redis-access-key$", redis.ConnectionString);
        await using var server = await ServerProcess.StartAsync(Settings(redis));
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

        var (status, health) = await StatelessCalls.HealthAsync(http);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("redis", health["store"]!.GetValue<string>());
        Assert.Contains($"State store: redis (localhost:{redis.Port} (TLS)), reachable", server.Output);

        await StatelessCalls.CallToolAsync(http, "set_counter", new JsonObject { ["value"] = 0 });
        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => StatelessCalls.CallToolAsync(http, "bump_counter", new JsonObject { ["step"] = 1 })));

        Assert.All(results, result => Assert.NotEqual(true, result["isError"]?.GetValue<bool>()));
        Assert.Equal(Enumerable.Range(1, 200).Select(value => (long)value), results.Select(result => result["structuredContent"]!["value"]!.GetValue<long>()).Order());
        Assert.Equal("200", await StatelessCalls.ReadCounterAsync(http));
    }

    [Fact]
    public async Task RedisKilledAndRestarted_TheServerServesDegraded_ThenRecoversOverTls_KeepingEveryAcknowledgedIncrement()
    {
        await using var redis = await RedisServer.StartAsync(password: AccessKey, tls: true);
        await using var server = await ServerProcess.StartAsync(Settings(redis));
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        await StatelessCalls.CallToolAsync(http, "set_counter", new JsonObject { ["value"] = 0 });
        for (var i = 0; i < 20; i++)
        {
            await StatelessCalls.CallToolAsync(http, "bump_counter", new JsonObject { ["step"] = 1 });
        }

        await redis.KillAsync();
        await Eventually.TrueAsync(() => StatelessCalls.HealthAsync(http).GetAwaiter().GetResult().Status == HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(30), "health should go 503 while Redis is down");
        var refused = await StatelessCalls.CallToolAsync(http, "bump_counter", new JsonObject());
        Assert.True(refused["isError"]!.GetValue<bool>());
        Assert.Equal("Tool 'bump_counter' could not run: The redis state store is unavailable; try again shortly.", refused["content"]![0]!["text"]!.GetValue<string>());

        await redis.RestartAsync(); // same port, same data (fsynced on every write), TLS and the key again
        await Eventually.TrueAsync(() => StatelessCalls.HealthAsync(http).GetAwaiter().GetResult().Status == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "health should recover once Redis is back");
        Assert.Equal(21, (await StatelessCalls.CallToolAsync(http, "bump_counter", new JsonObject { ["step"] = 1 }))["structuredContent"]!["value"]!.GetValue<long>());
    }

    [Fact]
    public async Task WithoutTheCa_RedisCertificateIsNotTrusted_AndTheServerSaysSo()
    {
        await using var redis = await RedisServer.StartAsync(password: AccessKey, tls: true);
        var settings = Settings(redis);
        settings["State__RedisTrustedCaCertificate"] = null;
        await using var server = await ServerProcess.StartAsync(settings);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        var (status, health) = await StatelessCalls.HealthAsync(http);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.False(health["redis"]!.GetValue<bool>());
        await Eventually.TrueAsync(() => server.Output.Contains($"State store: redis (localhost:{redis.Port} (TLS)), NOT reachable", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), "the start-up line should say the store is not reachable");
    }

    [Fact]
    public async Task MissingCaFile_StopsTheServer_NamingTheSetting()
    {
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings__cache"] = $"localhost:{FreePort.Next()},ssl=true,password={AccessKey}",
            ["State__RedisTrustedCaCertificate"] = "/nonexistent/ca.pem",
        }, waitHealthy: false);

        Assert.Equal(1, await server.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Prynai cannot start: State:RedisTrustedCaCertificate: '/nonexistent/ca.pem' does not exist", server.Output);
    }

    /// <summary>What Aspire gives the server in Azure (the connection string), plus the trust a private CA needs.</summary>
    private static Dictionary<string, string?> Settings(RedisServer redis) => new()
    {
        ["ConnectionStrings__cache"] = redis.ConnectionString,
        ["State__RedisTrustedCaCertificate"] = redis.Tls!.CaCertificatePath,
        ["Security__RateLimit__Enabled"] = "false",
    };
}

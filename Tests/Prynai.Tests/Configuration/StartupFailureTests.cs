using System.Net;
using System.Net.Sockets;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Configuration;

/// <summary>
/// A server that cannot start says why in one line — the setting and what is wrong — and exits with 1: no unhandled
/// exception (exit 134), no stack, no message twice. And a server that does start says which store it uses.
/// </summary>
public sealed class StartupFailureTests
{
    public static TheoryData<string, Dictionary<string, string?>, string> Misconfigurations => new()
    {
        { "Development", new() { ["REDIS_URL"] = "redis://localhost:notaport" }, "REDIS_URL: 'redis://localhost:notaport' has the port 'notaport'; the port must be a number from 1 to 65535." },
        { "Development", new() { ["REDIS_URL"] = "http://localhost:6379" }, "REDIS_URL: 'http://localhost:6379' has the scheme 'http'; a Redis URL starts with redis:// (or rediss:// for TLS)." },
        { "Development", new() { ["REDIS_URL"] = "localhost:6379" }, "REDIS_URL: 'localhost:6379' has no scheme: write redis://host:6379/0" },
        { "Development", new() { ["REDIS_URL"] = "rediss://:s3cret@cache.example:6380/zero" }, "REDIS_URL: 'rediss://:***@cache.example:6380/zero' names the database 'zero'" },
        { "Development", new() { ["ConnectionStrings__cache"] = "localhost:6379,nonsense=1" }, "ConnectionStrings:cache: is not a Redis connection string" },
        { "Development", new() { ["ConnectionStrings__cosmos"] = "AccountKey=abc;" }, "ConnectionStrings:cosmos: needs AccountEndpoint=…" },
        { "Development", new() { ["ConnectionStrings__cosmos"] = "just some words" }, "ConnectionStrings:cosmos: is neither an account URL" },
        { "Development", new() { ["Mcp__MaxSessions"] = "0" }, "Mcp:MaxSessions: The field MaxSessions must be between 1 and 1000000." },
        { "Development", new() { ["Mcp__SessionIdleTimeout"] = "soon" }, "Failed to convert configuration value 'soon' at 'Mcp:SessionIdleTimeout'" },
        { "Development", new() { ["Support__Seed"] = "42" }, "Support:Seed was renamed Support:GeneratorSeed (the data generator's random seed): set that instead." },
        { "Production", new(), "Authentication is required (Auth:Required / AUTH_REQUIRED; the default outside Development) but no token issuer is configured." },
        { "Production", new() { ["ENTRA_TENANT_ID"] = "contoso", ["ENTRA_AUDIENCES"] = "api://prynai" }, "Auth:TenantId (ENTRA_TENANT_ID) must be a tenant GUID" },
    };

    [Theory, MemberData(nameof(Misconfigurations))]
    public async Task Misconfiguration_IsOneLineNamingTheSetting_AndExitCode1(string environment, Dictionary<string, string?> settings, string line)
    {
        await using var server = await ServerProcess.StartAsync(settings, aspnetEnvironment: environment, waitHealthy: false);

        Assert.Equal(1, await server.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        AssertOneLine(server.Output, line);
    }

    [Fact]
    public async Task PortInUse_IsOneLineNamingTheAddress_AndExitCode1()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port;

        await using var server = await ServerProcess.StartAsync(port: port, waitHealthy: false);

        Assert.Equal(1, await server.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        AssertOneLine(server.Output, $"http://127.0.0.1:{port} is already in use by another process");
    }

    [Fact]
    public async Task Stdio_MisconfigurationIsOneLineToo()
    {
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string?> { ["REDIS_URL"] = "redis://localhost:notaport" },
            waitHealthy: false, arguments: ["--stdio"]);

        Assert.Equal(1, await server.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        AssertOneLine(server.Output, "REDIS_URL: 'redis://localhost:notaport' has the port 'notaport'");
    }

    [Fact]
    public async Task AtStart_TheLogSaysWhichStoreIsUsed_AndWhetherItAnswers()
    {
        await using (var sqlite = await ServerProcess.StartAsync())
        {
            await Eventually.TrueAsync(() => sqlite.Output.Contains("State store: sqlite (file ", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            Assert.Contains("prynai.db), reachable", sqlite.Output);
        }

        var nothing = FreePort.Next();
        await using var redis = await ServerProcess.StartAsync(new Dictionary<string, string?> { ["REDIS_URL"] = $"redis://127.0.0.1:{nothing}/0" });
        await Eventually.TrueAsync(() => redis.Output.Contains("State store: redis", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Contains($"State store: redis (127.0.0.1:{nothing}), NOT reachable", redis.Output);
    }

    private static void AssertOneLine(string output, string expected)
    {
        var lines = output.Split('\n').Select(line => line.TrimEnd('\r')).ToList();
        var failure = Assert.Single(lines, line => line.StartsWith("Prynai cannot start: ", StringComparison.Ordinal));
        Assert.Contains(expected, failure);
        Assert.DoesNotContain(lines, line => line.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        Assert.DoesNotContain("Unhandled exception", output);
        Assert.DoesNotContain("Hosting failed to start", output);
    }
}

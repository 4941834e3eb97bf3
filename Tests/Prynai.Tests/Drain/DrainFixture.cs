using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Drain;

/// <summary>
/// Redis and the replica that survives every drain (B, revision "rev-b", every tool), shared by the drain tests; each
/// test starts its own replica A on the same store and stops it with SIGTERM.
/// </summary>
public sealed class DrainFixture : IAsyncLifetime
{
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan ReaperInterval = TimeSpan.FromMilliseconds(250);

    public RedisServer Redis { get; private set; } = null!;

    public ServerProcess B { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Redis = await RedisServer.StartAsync();
        B = await ServerProcess.StartAsync(Settings("rev-b"));
    }

    /// <summary>A replica on the shared Redis, with the tests' short task timings and step delays.</summary>
    public Dictionary<string, string?> Settings(string revision, Dictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["REDIS_URL"] = Redis?.Url,
            ["Revision__Name"] = revision,
            ["Security__RateLimit__Enabled"] = "false",
            ["Tools__StepDelay"] = "00:00:00.050",
            ["Tasks__HeartbeatInterval"] = "00:00:00.250",
            ["Tasks__LeaseDuration"] = $"{Lease:c}",
            ["Tasks__ReaperInterval"] = $"{ReaperInterval:c}",
            ["Logging__LogLevel__Prynai"] = "Information",
        };
        foreach (var (key, value) in more ?? [])
        {
            settings[key] = value;
        }
        return settings;
    }

    public async ValueTask DisposeAsync()
    {
        await B.DisposeAsync();
        await Redis.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class DrainCollection : ICollectionFixture<DrainFixture>
{
    public const string Name = "drain";
}

using ModelContextProtocol.Client;
using Prynai.McpServer.Support;
using Prynai.McpServer.Support.Data;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Support;

/// <summary>
/// One production-mode server (authentication required, a loopback issuer) with a seeded support desk, shared by a
/// test class; <see cref="CosmosSupportServerFixture"/> puts the desk on the Cosmos DB test server.
/// </summary>
public class SupportServerFixture : IAsyncLifetime
{
    public TestOidcIssuer Issuer { get; private set; } = null!;

    public PrynaiServerFactory Server { get; private set; } = null!;

    public ISupportRepository Repository => (ISupportRepository)Server.Services.GetService(typeof(ISupportRepository))!;

    public virtual async ValueTask InitializeAsync()
    {
        Issuer = await TestOidcIssuer.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Auth:Authority"] = Issuer.HttpAuthority,
            ["Auth:RequireHttpsMetadata"] = "false",
            ["Auth:Audiences:0"] = TestOidcIssuer.Audience,
            ["Support:CustomerCount"] = "5",
            ["Support:Today"] = "2026-11-01",
            ["Support:TroubleshootStepDelay"] = "00:00:00.050",
        };
        foreach (var (key, value) in await StoreSettingsAsync())
        {
            settings[key] = value;
        }
        Server = new PrynaiServerFactory(settings, environment: "Production");
        _ = Server.Server; // start (and seed) now, not inside the first test's timeout
    }

    protected virtual Task<Dictionary<string, string?>> StoreSettingsAsync() => Task.FromResult(new Dictionary<string, string?>());

    /// <summary>A client with a token carrying <paramref name="roles"/>.</summary>
    public Task<McpClient> ConnectAsync(string protocol = "2026-07-28", bool sampling = false, params string[] roles) =>
        Server.ConnectAsync(protocol, sampling: sampling, token: Issuer.Mint(roles: roles, subject: "agent-oid"));

    public virtual async ValueTask DisposeAsync()
    {
        Server?.Dispose();
        if (Issuer is not null)
        {
            await Issuer.DisposeAsync();
        }
        GC.SuppressFinalize(this);
    }
}

public sealed class CosmosSupportServerFixture : SupportServerFixture
{
    private CosmosServer? _cosmos;

    protected override async Task<Dictionary<string, string?>> StoreSettingsAsync()
    {
        _cosmos = await CosmosServer.StartAsync();
        var settings = _cosmos.Settings();
        settings["Support:CosmosDatabaseName"] = "contoso-tests";
        return settings;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_cosmos is not null)
        {
            await _cosmos.DisposeAsync();
        }
    }
}

using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Security;

/// <summary>One loopback OpenID issuer shared by the security tests, and servers that trust it.</summary>
public sealed class IssuerFixture : IAsyncLifetime
{
    public TestOidcIssuer Issuer { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Issuer = await TestOidcIssuer.StartAsync();

    public async ValueTask DisposeAsync() => await Issuer.DisposeAsync();

    /// <summary>A production-mode server (auth required by default) whose authority is this issuer.</summary>
    public PrynaiServerFactory Server(IDictionary<string, string?>? settings = null, string environment = "Production")
    {
        var all = new Dictionary<string, string?>
        {
            ["Auth:Authority"] = Issuer.HttpAuthority,
            ["Auth:RequireHttpsMetadata"] = "false",
            ["Auth:Audiences:0"] = TestOidcIssuer.Audience,
            ["Auth:Audiences:1"] = TestOidcIssuer.AudienceGuid,
            ["Auth:MetadataRefreshInterval"] = "00:00:01",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }
        return new PrynaiServerFactory(all, environment: environment);
    }
}

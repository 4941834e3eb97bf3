using Prynai.SmokeClient.Connection;

namespace Prynai.Tests.Smoke;

/// <summary>Where the smoke client goes when not told: --url, PRYNAI_MCP_URL, Aspire's service discovery, then the local default.</summary>
public sealed class ConnectionSettingsTests
{
    private static Func<string, string?> Variables(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(variable => variable.Name == name).Value;

    [Fact]
    public void Option_WinsOverEveryVariable() =>
        Assert.Equal("http://a/mcp", ConnectionSettings.ResolveUrl("http://a/mcp", Variables(("PRYNAI_MCP_URL", "http://b/mcp"), ("services__mcp__http__0", "http://c"))));

    [Fact]
    public void PrynaiMcpUrlVariable_WinsOverServiceDiscovery() =>
        Assert.Equal("http://b/mcp", ConnectionSettings.ResolveUrl(null, Variables(("PRYNAI_MCP_URL", "http://b/mcp"), ("services__mcp__http__0", "http://c"))));

    [Fact]
    public void AspireServiceDiscovery_PrefersHttps_AndAppendsTheEndpointPath()
    {
        Assert.Equal("https://mcp.example/mcp", ConnectionSettings.ResolveUrl(null,
            Variables(("services__mcp__http__0", "http://mcp.internal.example"), ("services__mcp__https__0", "https://mcp.example/"))));
        Assert.Equal("http://localhost:5123/mcp", ConnectionSettings.ResolveUrl(null, Variables(("services__mcp__http__0", "http://localhost:5123"))));
    }

    [Fact]
    public void WithoutAnything_IsTheLocalServer() =>
        Assert.Equal(ConnectionSettings.DefaultUrl, ConnectionSettings.ResolveUrl(null, Variables()));
}

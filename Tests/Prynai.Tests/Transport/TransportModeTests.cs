using System.Net;
using System.Text.Json.Nodes;
using ModelContextProtocol.Client;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Transport;

/// <summary>The optional ways to serve MCP: stateless-only, the legacy HTTP+SSE transport.</summary>
public sealed class TransportModeTests
{
    [Fact]
    public async Task StatelessOnly_InitializeGetsNoSession_AndSessionRoutesAreRefused()
    {
        using var server = new PrynaiServerFactory(new Dictionary<string, string?> { ["Mcp:StatelessOnly"] = "true" });
        var http = server.CreateClient();

        using var initialize = await http.SendAsync(McpHttp.Initialize(), Ct);
        Assert.Equal(HttpStatusCode.OK, initialize.StatusCode);
        Assert.False(initialize.Headers.Contains("Mcp-Session-Id"));

        using var withSession = await http.SendAsync(McpHttp.SessionRequest("some-session", "tools/list", id: 1), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, withSession.StatusCode);

        using var get = await http.SendAsync(McpSessions.Request(HttpMethod.Get, "some-session"), Ct);
        using var delete = await http.SendAsync(McpSessions.Request(HttpMethod.Delete, "some-session"), Ct);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, delete.StatusCode);

        using var list = await http.SendAsync(McpHttp.Post("""{"jsonrpc":"2.0","id":2,"method":"tools/list"}"""), Ct);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.NotNull((await McpHttp.ResponseAsync(list))["result"]!["tools"]);
    }

    [Theory]
    [InlineData("2025-11-25", "sampling unavailable")]
    [InlineData("2026-07-28", "MOCK:")]
    public async Task StatelessOnly_ServesBothGenerations_SamplingOnlyWhereInputRequiredCarriesIt(string protocol, string summaryStart)
    {
        using var server = new PrynaiServerFactory(new Dictionary<string, string?> { ["Mcp:StatelessOnly"] = "true" });
        await using var client = await server.ConnectAsync(protocol);

        Assert.Equal(5, await McpClientCalls.NumberAsync(client, "add", 2, 3));
        var summary = await client.CallToolAsync("summarize_via_client_llm", new Dictionary<string, object?> { ["text"] = "x" }, cancellationToken: Ct);
        Assert.StartsWith(summaryStart, summary.StructuredContent!.Value.GetProperty("summary").GetString());
    }

    [Fact]
    public async Task LegacySse_IsOffByDefault()
    {
        using var server = new PrynaiServerFactory();
        using var response = await server.CreateClient().GetAsync("/sse", Ct);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task LegacySse_WhenEnabled_ServesTheWholeSurface()
    {
        using var server = new PrynaiServerFactory(new Dictionary<string, string?> { ["Mcp:EnableLegacySse"] = "true" });
        await using var client = await server.ConnectAsync(mode: HttpTransportMode.Sse);

        Assert.Equal(7, await McpClientCalls.NumberAsync(client, "add", 3, 4));
        Assert.Equal("ok", await McpClientCalls.ReadTextAsync(client, "prynai://status"));
        var summary = await client.CallToolAsync("summarize_via_client_llm", new Dictionary<string, object?> { ["text"] = "x" }, cancellationToken: Ct);
        Assert.StartsWith("MOCK:", summary.StructuredContent!.Value.GetProperty("summary").GetString());
    }

    [Fact]
    public async Task LegacySse_PostToAnUnknownStream_Is404()
    {
        using var server = new PrynaiServerFactory(new Dictionary<string, string?> { ["Mcp:EnableLegacySse"] = "true" });
        var request = McpHttp.Post("""{"jsonrpc":"2.0","id":1,"method":"ping"}""");
        request.RequestUri = new Uri("/messages?sessionId=nope", UriKind.Relative);

        using var response = await server.CreateClient().SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}

using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Prynai.Tests.Infrastructure;

/// <summary>2026-07-28 requests over raw HTTP (<see cref="McpHttp"/>) that tests of several capabilities make.</summary>
public static class StatelessCalls
{
    /// <summary>Calls <paramref name="tool"/>; asserts 200 and returns the JSON-RPC result.</summary>
    public static async Task<JsonObject> CallToolAsync(HttpClient http, string tool, JsonObject arguments)
    {
        using var response = await http.SendAsync(McpHttp.StatelessRequest("tools/call", new JsonObject { ["name"] = tool, ["arguments"] = arguments }, name: tool), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await McpHttp.ResponseAsync(response))["result"]!.AsObject();
    }

    /// <summary>A tools/list with <paramref name="bearerToken"/>, for what authentication makes of the token.</summary>
    public static Task<HttpResponseMessage> ListToolsAsync(PrynaiServerFactory server, string bearerToken)
    {
        var request = McpHttp.StatelessRequest("tools/list");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        return server.CreateClient().SendAsync(request, Ct);
    }

    /// <summary>The text of prynai://counter.</summary>
    public static async Task<string?> ReadCounterAsync(HttpClient http)
    {
        using var response = await http.SendAsync(McpHttp.StatelessRequest("resources/read", new JsonObject { ["uri"] = "prynai://counter" }, name: "prynai://counter"), Ct);
        return (await McpHttp.ResponseAsync(response))["result"]!["contents"]![0]!["text"]!.GetValue<string>();
    }

    /// <summary>The message a resources/read of prynai://counter answers while its store is down.</summary>
    public static async Task<string> CounterReadErrorAsync(HttpClient http)
    {
        using var response = await http.SendAsync(McpHttp.StatelessRequest("resources/read", new JsonObject { ["uri"] = "prynai://counter" }, name: "prynai://counter"), Ct);
        return (await McpHttp.ResponseAsync(response))["error"]!["message"]!.GetValue<string>();
    }

    /// <summary>GET /healthz: its status and its JSON body.</summary>
    public static async Task<(HttpStatusCode Status, JsonObject Body)> HealthAsync(HttpClient http)
    {
        using var response = await http.GetAsync("/healthz");
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}

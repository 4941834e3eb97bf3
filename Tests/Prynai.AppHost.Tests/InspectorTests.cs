using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Prynai.AppHost.Tests.Infrastructure;

namespace Prynai.AppHost.Tests;

/// <summary>
/// The MCP Inspector resource, started from the dashboard as a user would: it installs itself from
/// AppHost/Inspector/package-lock.json (first start), serves its page at the URL the dashboard shows, lists the
/// server's /mcp as its server, and its backend reaches the server.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class InspectorTests(OneReplicaAppHost host)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InspectorStartedFromTheDashboard_ServesItsPagePointedAtTheServer_AndReachesIt()
    {
        var model = host.App.Services.GetRequiredService<DistributedApplicationModel>();
        var inspector = Assert.IsType<McpInspectorResource>(model.Resources.Single(resource => resource.Name == "inspector"));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        timeout.CancelAfter(TimeSpan.FromMinutes(6)); // the first start runs npm ci

        var started = await host.App.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(inspector, "resource-start", timeout.Token);
        Assert.True(started.Success, started.Message);
        var running = await host.App.ResourceNotifications.WaitForResourceAsync("inspector",
            resourceEvent => resourceEvent.Snapshot.State?.Text == KnownResourceStates.Running && resourceEvent.Snapshot.Urls.Length > 0, timeout.Token);

        var shown = Assert.Single(running.Snapshot.Urls, url => url.Name == McpInspectorResource.EndpointName).Url;
        Assert.EndsWith($"/?MCP_INSPECTOR_API_TOKEN={inspector.ApiToken}", shown);
        using var http = new HttpClient { BaseAddress = host.App.GetEndpoint("inspector", McpInspectorResource.EndpointName), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("x-mcp-remote-auth", $"Bearer {inspector.ApiToken}");

        // Its page, once its web server listens (Running comes as the process starts).
        var page = await EventuallyAsync(async () =>
        {
            using var response = await http.GetAsync(shown, timeout.Token);
            return response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync(timeout.Token) : null;
        }, timeout.Token);
        Assert.Contains("<title>MCP Inspector</title>", page);

        // Its one server: the AppHost's server.
        var servers = (await http.GetFromJsonAsync<JsonObject>("/api/servers", timeout.Token))!["mcpServers"]!.AsObject();
        var server = Assert.Single(servers).Value!;
        Assert.Equal("streamable-http", server["type"]!.GetValue<string>());
        Assert.Equal(host.McpEndpoint.ToString(), server["url"]!.GetValue<string>());

        // Its backend connects there: an initialize through it is answered (the request waits for the server's reply).
        using var connect = await http.PostAsJsonAsync("/api/mcp/connect", new JsonObject { ["config"] = server.DeepClone() }, timeout.Token);
        var session = (await connect.Content.ReadFromJsonAsync<JsonObject>(timeout.Token))!["sessionId"]!.GetValue<string>();
        using var events = await OpenEventsAsync(http, session, timeout.Token);
        using var send = await http.PostAsJsonAsync("/api/mcp/send", new JsonObject
        {
            ["sessionId"] = session,
            ["message"] = JsonNode.Parse("""
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"prynai-apphost-tests","version":"1"}}}
                """),
        }, timeout.Token);
        var sent = await send.Content.ReadFromJsonAsync<JsonObject>(timeout.Token);
        Assert.True(sent!["ok"]!.GetValue<bool>(), sent.ToJsonString());
        Assert.Contains("\"prynai-mcp\"", await events.ReadUntilAsync("serverInfo", timeout.Token));
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, CancellationToken cancellationToken) where T : class
    {
        while (true)
        {
            try
            {
                if (await probe() is { } found)
                {
                    return found;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(250, cancellationToken);
        }
    }

    private static async Task<EventStream> OpenEventsAsync(HttpClient http, string session, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/mcp/events?sessionId={session}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        return new EventStream(response, new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken)));
    }

    /// <summary>The Inspector backend's event stream for one connection (what its page reads).</summary>
    private sealed class EventStream(HttpResponseMessage response, StreamReader reader) : IDisposable
    {
        public async Task<string> ReadUntilAsync(string marker, CancellationToken cancellationToken)
        {
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                if (line.Contains(marker, StringComparison.Ordinal))
                {
                    return line;
                }
            }
            throw new InvalidOperationException($"The Inspector's event stream ended before '{marker}'.");
        }

        public void Dispose()
        {
            reader.Dispose();
            response.Dispose();
        }
    }
}

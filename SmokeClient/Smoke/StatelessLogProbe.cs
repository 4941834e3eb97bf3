using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Prynai.SmokeClient.Connection;

namespace Prynai.SmokeClient.Smoke;

/// <summary>
/// Calls echo on protocol 2026-07-28 with <c>_meta</c> logLevel "info" and returns the log notifications that came
/// back. Raw HTTP, because the 2.3.1 C# client rewrites <c>_meta</c> and drops logLevel.
/// </summary>
internal static class StatelessLogProbe
{
    public static async Task<IReadOnlyList<string>> EchoWithLogsAsync(ConnectionSettings settings, string text, CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        var body = new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = 1,
            ["method"] = "tools/call",
            ["params"] = new JsonObject
            {
                ["name"] = "echo",
                ["arguments"] = new JsonObject { ["text"] = text },
                ["_meta"] = new JsonObject
                {
                    ["io.modelcontextprotocol/protocolVersion"] = "2026-07-28",
                    ["io.modelcontextprotocol/clientInfo"] = new JsonObject { ["name"] = "prynai-smoke", ["version"] = "1" },
                    ["io.modelcontextprotocol/clientCapabilities"] = new JsonObject(),
                    ["io.modelcontextprotocol/logLevel"] = "info",
                },
            },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, settings.Url)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        request.Headers.Add("MCP-Protocol-Version", "2026-07-28");
        request.Headers.Add("Mcp-Method", "tools/call");
        request.Headers.Add("Mcp-Name", "echo");
        if (settings.AccessToken is { Length: > 0 } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        var messages = new List<string>();
        foreach (var line in (await response.Content.ReadAsStringAsync(cancellationToken)).Split('\n'))
        {
            if (line.StartsWith("data:", StringComparison.Ordinal) && JsonNode.Parse(line[5..]) is JsonObject message &&
                message["method"]?.GetValue<string>() == "notifications/message")
            {
                messages.Add(message["params"]?["data"]?.ToString() ?? "");
            }
        }
        return messages;
    }
}

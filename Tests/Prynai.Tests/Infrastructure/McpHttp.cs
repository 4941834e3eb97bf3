using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Prynai.Tests.Infrastructure;

/// <summary>Raw Streamable HTTP requests, for testing what the transport does with exactly these bytes.</summary>
public static class McpHttp
{
    public const string Stateless = "2026-07-28";

    /// <summary>The per-request _meta a 2026-07-28 client sends.</summary>
    public static JsonObject Meta(string protocolVersion = Stateless, JsonObject? capabilities = null) => new()
    {
        ["io.modelcontextprotocol/protocolVersion"] = protocolVersion,
        ["io.modelcontextprotocol/clientInfo"] = new JsonObject { ["name"] = "raw-test", ["version"] = "1" },
        ["io.modelcontextprotocol/clientCapabilities"] = capabilities ?? new JsonObject(),
    };

    /// <summary>A complete, valid 2026-07-28 POST for <paramref name="method"/>; tests then break one part of it.</summary>
    public static HttpRequestMessage StatelessRequest(string method, JsonObject? parameters = null, string? name = null, object id = null!)
    {
        parameters ??= new JsonObject();
        parameters["_meta"] ??= Meta();
        var body = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = JsonValue.Create(id ?? 1), ["method"] = method, ["params"] = parameters };
        var request = Post(body.ToJsonString());
        request.Headers.Add("MCP-Protocol-Version", Stateless);
        request.Headers.Add("Mcp-Method", method);
        if (name is not null)
        {
            request.Headers.Add("Mcp-Name", name);
        }
        return request;
    }

    public static HttpRequestMessage Initialize(string protocolVersion = "2025-11-25") => Post(new JsonObject
    {
        ["jsonrpc"] = "2.0",
        ["id"] = 1,
        ["method"] = "initialize",
        ["params"] = new JsonObject
        {
            ["protocolVersion"] = protocolVersion,
            ["capabilities"] = new JsonObject(),
            ["clientInfo"] = new JsonObject { ["name"] = "raw-test", ["version"] = "1" },
        },
    }.ToJsonString());

    public static HttpRequestMessage SessionRequest(string sessionId, string method, JsonObject? parameters = null, object? id = null)
    {
        var body = new JsonObject { ["jsonrpc"] = "2.0", ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        if (id is not null)
        {
            body["id"] = JsonValue.Create(id);
        }
        var request = Post(body.ToJsonString());
        request.Headers.Add("Mcp-Session-Id", sessionId);
        request.Headers.Add("MCP-Protocol-Version", "2025-11-25");
        return request;
    }

    public static HttpRequestMessage Post(string body, string contentType = "application/json", string accept = "application/json, text/event-stream")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (accept.Length > 0)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }
        return request;
    }

    /// <summary>Every JSON-RPC message in the body: one JSON document, or the data lines of an SSE stream.</summary>
    public static async Task<List<JsonObject>> MessagesAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        if (response.Content.Headers.ContentType?.MediaType != "text/event-stream")
        {
            return text.Length == 0 ? [] : [JsonNode.Parse(text)!.AsObject()];
        }
        return text.Split('\n')
            .Where(line => line.StartsWith("data:", StringComparison.Ordinal) && line.Length > 5)
            .Select(line => JsonNode.Parse(line[5..])!.AsObject())
            .ToList();
    }

    /// <summary>The last message of the response (the JSON-RPC result or error).</summary>
    public static async Task<JsonObject> ResponseAsync(HttpResponseMessage response) => (await MessagesAsync(response)).Last();

    public static int? ErrorCode(JsonObject message) => message["error"]?["code"]?.GetValue<int>();
}

using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Prynai.Rehearsal;

/// <summary>Streamable HTTP as the rehearsal's clients speak it: raw requests of both protocol generations.</summary>
internal static class McpWire
{
    public const string SessionRevision = "2025-11-25";
    public const string StatelessRevision = "2026-07-28";
    public const string TasksExtension = "io.modelcontextprotocol/tasks";

    private static long _ids;

    public static long NextId() => Interlocked.Increment(ref _ids);

    /// <summary>A request of a 2025-11-25 session (<paramref name="sessionId"/> null: the initialize that starts one).</summary>
    public static HttpRequestMessage Session(string? sessionId, string method, JsonObject? parameters, bool notification = false)
    {
        var body = new JsonObject { ["jsonrpc"] = "2.0", ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        if (!notification)
        {
            body["id"] = NextId();
        }
        var request = Post(body);
        if (sessionId is not null)
        {
            request.Headers.Add("Mcp-Session-Id", sessionId);
            request.Headers.Add("MCP-Protocol-Version", SessionRevision);
        }
        return request;
    }

    /// <summary>A 2026-07-28 request: per-request _meta, Mcp-Method and Mcp-Name headers, the tasks extension declared.</summary>
    public static HttpRequestMessage Stateless(string method, JsonObject? parameters, string? name = null)
    {
        parameters ??= new JsonObject();
        parameters["_meta"] = new JsonObject
        {
            ["io.modelcontextprotocol/protocolVersion"] = StatelessRevision,
            ["io.modelcontextprotocol/clientInfo"] = new JsonObject { ["name"] = "prynai-rehearsal", ["version"] = "1" },
            ["io.modelcontextprotocol/clientCapabilities"] = new JsonObject { ["extensions"] = new JsonObject { [TasksExtension] = new JsonObject() } },
        };
        var request = Post(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = NextId(), ["method"] = method, ["params"] = parameters });
        request.Headers.Add("MCP-Protocol-Version", StatelessRevision);
        request.Headers.Add("Mcp-Method", method);
        if (name is not null)
        {
            request.Headers.Add("Mcp-Name", name);
        }
        return request;
    }

    public static HttpRequestMessage SessionStream(string sessionId, long? lastEventId)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/mcp");
        request.Headers.Add("Mcp-Session-Id", sessionId);
        request.Headers.Add("MCP-Protocol-Version", SessionRevision);
        request.Headers.Add("Accept", "text/event-stream");
        if (lastEventId is { } id)
        {
            request.Headers.Add("Last-Event-ID", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return LongLived(request);
    }

    /// <summary>
    /// A stream request gets a connection of its own, closed when the stream ends (as an EventSource does): nginx's old
    /// workers close the connections they still hold after a reload once their response ends, and reusing one would race
    /// that close.
    /// </summary>
    public static HttpRequestMessage LongLived(HttpRequestMessage request)
    {
        request.Headers.ConnectionClose = true;
        return request;
    }

    /// <summary>The JSON-RPC response of a POST (plain JSON, or the last message of an event stream); null when there is none.</summary>
    public static async Task<JsonObject?> ResponseAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.Content.Headers.ContentType?.MediaType != "text/event-stream")
        {
            return text.Length == 0 ? null : JsonNode.Parse(text) as JsonObject;
        }
        return text.Split('\n').Where(line => line.StartsWith("data:", StringComparison.Ordinal) && line.Length > 5)
            .Select(line => JsonNode.Parse(line[5..]) as JsonObject).LastOrDefault(message => message?["id"] is not null);
    }

    private static HttpRequestMessage Post(JsonObject body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("Accept", "application/json, text/event-stream");
        return request;
    }
}

/// <summary>One server-sent event: its id, retry hint and data (each optional).</summary>
internal sealed record SseEvent(long? Id, int? Retry, JsonObject? Message);

/// <summary>Reads server-sent events one at a time; null when the server ended the stream.</summary>
internal sealed class SseReader(Stream body)
{
    private readonly StreamReader _reader = new(body, Encoding.UTF8);

    public async Task<SseEvent?> NextAsync(CancellationToken cancellationToken)
    {
        long? id = null;
        int? retry = null;
        var data = new StringBuilder();
        var any = false;
        while (await _reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (any)
                {
                    return new SseEvent(id, retry, data.Length > 0 ? JsonNode.Parse(data.ToString()) as JsonObject : null);
                }
                continue;
            }
            any = true;
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
            switch (field)
            {
                case "id" when long.TryParse(value, out var parsed):
                    id = parsed;
                    break;
                case "retry" when int.TryParse(value, out var milliseconds):
                    retry = milliseconds;
                    break;
                case "data":
                    data.Append(value);
                    break;
            }
        }
        return null;
    }
}

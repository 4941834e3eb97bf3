namespace Prynai.Bench;

/// <summary>
/// One kind of request wrk sends: body, headers, the sessions it cycles over, and the text a valid answer contains
/// (with HTTP 200).
/// </summary>
internal sealed record LoadRequest(string Body, IReadOnlyList<KeyValuePair<string, string>> Headers, string Expect)
{
    public IReadOnlyList<string> Sessions { get; init; } = [];
}

/// <summary>The exact requests of the benchmark, on both protocol generations.</summary>
internal static class McpRequests
{
    public const string Stateless = "2026-07-28";
    public const string Legacy = "2025-11-25";

    /// <summary>What every valid add answer contains (Prynai, the TS SDK and the raw endpoint alike).</summary>
    public const string AddResult = "\"structuredContent\":{\"result\":5}";

    /// <summary>What every valid bump_counter answer contains.</summary>
    public const string BumpResult = "\"structuredContent\":{\"value\":";

    private const string StatelessMeta =
        "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\",\"io.modelcontextprotocol/clientInfo\":{\"name\":\"wrk\",\"version\":\"1\"},\"io.modelcontextprotocol/clientCapabilities\":{}}";

    /// <summary>2026-07-28: <c>tools/call</c> with the per-request <c>_meta</c> and the Mcp-Method/Mcp-Name headers.</summary>
    public static LoadRequest StatelessToolCall(string tool, string arguments, string expect, string? token) => new(
        $"{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{{\"name\":\"{tool}\",\"arguments\":{arguments},{StatelessMeta}}}}}",
        Headers(Stateless, token, ("Mcp-Method", "tools/call"), ("Mcp-Name", tool)),
        expect);

    public static LoadRequest StatelessAdd(string? token) => StatelessToolCall("add", "{\"a\":2,\"b\":3}", AddResult, token);

    public static LoadRequest StatelessBump(string? token) => StatelessToolCall("bump_counter", "{}", BumpResult, token);

    /// <summary>
    /// 2025-11-25: a plain <c>tools/call add</c>. With sessions wrk adds Mcp-Session-Id, cycling over them; without,
    /// it is the stateless form the TypeScript SDK's stateless example serves.
    /// </summary>
    public static LoadRequest LegacyAdd(IReadOnlyList<string> sessions, string? token) => new(
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"add\",\"arguments\":{\"a\":2,\"b\":3}}}",
        Headers(Legacy, token),
        AddResult)
    {
        Sessions = sessions,
    };

    /// <summary>2026-07-28 <c>resources/read prynai://counter</c> (read before and after the counter run).</summary>
    public static LoadRequest ReadCounter(string? token) => new(
        $"{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/read\",\"params\":{{\"uri\":\"prynai://counter\",{StatelessMeta}}}}}",
        Headers(Stateless, token, ("Mcp-Method", "resources/read"), ("Mcp-Name", "prynai://counter")),
        "\"uri\":\"prynai://counter\"");

    /// <summary>2025-11-25 <c>initialize</c>: opens a session (Mcp-Session-Id in the response headers).</summary>
    public const string Initialize =
        "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"prynai-bench\",\"version\":\"1\"}}}";

    public const string Initialized = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";

    public static IReadOnlyList<KeyValuePair<string, string>> Headers(string? protocolVersion, string? token, params (string Name, string Value)[] extra)
    {
        List<KeyValuePair<string, string>> headers =
        [
            new("Content-Type", "application/json"),
            new("Accept", "application/json, text/event-stream"),
        ];
        if (protocolVersion is not null)
        {
            headers.Add(new("MCP-Protocol-Version", protocolVersion));
        }
        headers.AddRange(extra.Select(h => new KeyValuePair<string, string>(h.Name, h.Value)));
        if (token is not null)
        {
            headers.Add(new("Authorization", "Bearer " + token));
        }
        return headers;
    }
}

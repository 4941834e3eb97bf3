namespace Prynai.McpServer.Transport;

/// <summary>HTTP header names of the Streamable HTTP transport (the SDK keeps its own list internal).</summary>
public static class McpHttpHeaders
{
    public const string SessionId = "Mcp-Session-Id";
    public const string ProtocolVersion = "MCP-Protocol-Version";
    public const string Method = "Mcp-Method";
    public const string Name = "Mcp-Name";
    public const string LastEventId = "Last-Event-ID";
}

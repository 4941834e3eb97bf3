using System.ComponentModel.DataAnnotations;

namespace Prynai.McpServer.Transport;

/// <summary>Settings of the MCP HTTP endpoint (section <c>Mcp</c>).</summary>
public sealed class McpTransportOptions
{
    public const string SectionName = "Mcp";

    /// <summary>The Streamable HTTP endpoint.</summary>
    [Required, RegularExpression("^/.*")]
    public string Path { get; set; } = "/mcp";

    /// <summary>
    /// Serve every request without a session: no <c>Mcp-Session-Id</c> is issued, GET and DELETE are refused.
    /// Server-initiated requests (sampling) then only work for 2026-07-28 clients.
    /// </summary>
    public bool StatelessOnly { get; set; }

    /// <summary>A session with no request in flight and no open GET stream for this long is ended.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// A session idle this long (nothing in flight, no open GET stream) leaves this replica's memory; its record
    /// stays in the state store until <see cref="SessionIdleTimeout"/>, and its next request restores it, here or on
    /// any replica. Keeps thousands of idle sessions from costing memory.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan SessionParkAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Most sessions held in memory per replica; an initialize beyond it is refused with 503 until sessions end or park.</summary>
    [Range(1, 1_000_000)]
    public int MaxSessions { get; set; } = 10_000;

    /// <summary>
    /// How long a session's notifications stay replayable (GET with <c>Last-Event-ID</c>), and how long the replica
    /// that held a cut GET stream keeps recording them for the client to come back (on any replica).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ReplayWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Most notifications kept per session for replay; older ones are dropped first.</summary>
    [Range(1, 100_000)]
    public int ReplayMaxEvents { get; set; } = 1000;

    /// <summary>Largest accepted request body on every MCP route; larger bodies get 413.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Also serve the deprecated HTTP+SSE transport (<c>GET /sse</c> + <c>POST /messages?sessionId=…</c>).</summary>
    public bool EnableLegacySse { get; set; }
}

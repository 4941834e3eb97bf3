namespace Prynai.McpServer.Transport;

/// <summary>
/// The MCP revisions this server speaks and what each implies on HTTP. The SDK keeps its own list internal,
/// so the host owns these constants.
/// </summary>
public static class ProtocolRevisions
{
    /// <summary>Stateless revision: per-request <c>_meta</c>, <c>server/discover</c>, no sessions.</summary>
    public const string V2026_07_28 = "2026-07-28";
    public const string V2025_11_25 = "2025-11-25";
    public const string V2025_06_18 = "2025-06-18";
    public const string V2025_03_26 = "2025-03-26";

    /// <summary>The session (initialize-handshake) revisions, newest first.</summary>
    public static readonly string[] SessionRevisions = [V2025_11_25, V2025_06_18, V2025_03_26];

    /// <summary>The revisions that carry protocol version and capabilities in each request's <c>_meta</c>.</summary>
    public static readonly string[] PerRequestMetadataRevisions = [V2026_07_28];

    public static readonly string[] All = [V2026_07_28, .. SessionRevisions];

    public static bool UsesPerRequestMetadata(string? revision) => revision is V2026_07_28;

    public static bool IsSupported(string? revision) => revision is not null && Array.IndexOf(All, revision) >= 0;

    /// <summary>Revisions that require <c>Mcp-Method</c>/<c>Mcp-Name</c> headers to match the body.</summary>
    public static bool RequiresStandardHeaders(string? revision) => UsesPerRequestMetadata(revision);
}

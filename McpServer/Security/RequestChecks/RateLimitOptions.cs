using System.ComponentModel.DataAnnotations;

namespace Prynai.McpServer.Security.RequestChecks;

/// <summary>Abuse limits on the MCP routes (section <c>Security:RateLimit</c>).</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "Security:RateLimit";

    public bool Enabled { get; set; } = true;

    /// <summary>Sustained requests per second per caller (token app/subject id, else client address).</summary>
    [Range(1, 1_000_000)]
    public int RequestsPerSecond { get; set; } = 100;

    /// <summary>Requests a caller may make in a burst above the sustained rate.</summary>
    [Range(1, 1_000_000)]
    public int Burst { get; set; } = 500;

    /// <summary>Requests in flight at once on this replica, all callers together (open GET streams excluded).</summary>
    [Range(1, 1_000_000)]
    public int MaxConcurrentRequests { get; set; } = 4096;
}

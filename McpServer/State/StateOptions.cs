using System.ComponentModel.DataAnnotations;

namespace Prynai.McpServer.State;

/// <summary>Settings of the state store (section <c>State</c>).</summary>
public sealed class StateOptions
{
    public const string SectionName = "State";

    /// <summary>SQLite file used when no Redis or Cosmos DB connection string is configured. Relative to the content root.</summary>
    [Required]
    public string SqlitePath { get; set; } = "data/prynai.db";

    /// <summary>
    /// A CA certificate file (PEM or DER) that the Redis TLS connection trusts besides the system's store — that
    /// connection only, nothing else in the process: for a Redis whose certificate comes from a private CA.
    /// </summary>
    public string? RedisTrustedCaCertificate { get; set; }

    /// <summary>The configuration key of <see cref="RedisTrustedCaCertificate"/>.</summary>
    public const string RedisTrustedCaCertificateSetting = SectionName + ":" + nameof(RedisTrustedCaCertificate);
}

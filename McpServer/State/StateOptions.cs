using System.ComponentModel.DataAnnotations;

namespace Prynai.McpServer.State;

/// <summary>Settings of the state store (section <c>State</c>).</summary>
public sealed class StateOptions
{
    public const string SectionName = "State";

    /// <summary>SQLite file used when no Redis or Cosmos DB connection string is configured. Relative to the content root.</summary>
    [Required]
    public string SqlitePath { get; set; } = "data/prynai.db";
}

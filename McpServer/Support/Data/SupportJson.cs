using System.Text.Json;

namespace Prynai.McpServer.Support.Data;

/// <summary>How support records are stored as JSON (SQLite bodies, Cosmos DB documents): camelCase, web defaults.</summary>
internal static class SupportJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);
}

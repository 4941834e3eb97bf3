namespace Prynai.SmokeClient.Connection;

/// <summary>Where and how to reach an MCP server.</summary>
/// <param name="Url">The Streamable HTTP endpoint, e.g. http://127.0.0.1:8000/mcp.</param>
/// <param name="ProtocolVersion">Pin a protocol revision (e.g. 2025-11-25); null lets the client choose (2026-07-28).</param>
/// <param name="AccessToken">Bearer token sent on every request; null sends none.</param>
/// <param name="Sampling">Answer the server's sampling requests with a mock model ("MOCK:…").</param>
public sealed record ConnectionSettings(Uri Url, string? ProtocolVersion, string? AccessToken, bool Sampling)
{
    public const string UrlVariable = "PRYNAI_MCP_URL";
    public const string TokenVariable = "PRYNAI_MCP_TOKEN";
    public const string DefaultUrl = "http://127.0.0.1:8000/mcp";

    /// <summary>--url, else PRYNAI_MCP_URL, else the local default.</summary>
    public static string ResolveUrl(string? option) =>
        option ?? (Environment.GetEnvironmentVariable(UrlVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : DefaultUrl);
}

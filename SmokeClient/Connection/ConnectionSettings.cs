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

    /// <summary>Aspire's service-discovery variables for a resource named "mcp", HTTPS first.</summary>
    public static readonly string[] ServiceDiscoveryVariables = ["services__mcp__https__0", "services__mcp__http__0"];

    /// <summary>--url, else PRYNAI_MCP_URL, else Aspire's service discovery for "mcp" (+ /mcp), else the local default.</summary>
    public static string ResolveUrl(string? option, Func<string, string?>? read = null)
    {
        read ??= Environment.GetEnvironmentVariable;
        if (option is not null)
        {
            return option;
        }
        if (read(UrlVariable) is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment;
        }
        return ServiceDiscoveryVariables.Select(read).FirstOrDefault(value => value is { Length: > 0 }) is { } service
            ? service.TrimEnd('/') + "/mcp"
            : DefaultUrl;
    }
}

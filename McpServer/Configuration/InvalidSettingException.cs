namespace Prynai.McpServer.Configuration;

/// <summary>A setting whose value cannot work; the server refuses to start and says which setting and why.</summary>
public sealed class InvalidSettingException(string setting, string problem, Exception? inner = null)
    : Exception($"{setting}: {problem}", inner)
{
    /// <summary>The setting as a user writes it: an environment variable (<c>REDIS_URL</c>) or a configuration key (<c>ConnectionStrings:cache</c>).</summary>
    public string Setting { get; } = setting;
}

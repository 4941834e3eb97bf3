using System.ComponentModel.DataAnnotations;

namespace Prynai.McpServer.Tools;

/// <summary>Settings of the built-in tools (section <c>Tools</c>).</summary>
public sealed class ToolOptions
{
    public const string SectionName = "Tools";

    /// <summary>Pause between the steps of long_task and slow_square.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan StepDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Most tokens the client's model may produce for summarize_via_client_llm.</summary>
    [Range(16, 8192)]
    public int SummaryMaxTokens { get; set; } = 256;
}

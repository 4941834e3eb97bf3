namespace Prynai.McpServer.Revisions;

/// <summary>
/// What this revision is called and what it serves (section <c>Revision</c>). Two revisions of one build can serve
/// different tool, prompt and resource sets from configuration alone: a revision that hides a tool serves one tool
/// fewer than one that does not.
/// </summary>
public sealed class RevisionOptions
{
    public const string SectionName = "Revision";

    /// <summary>This revision's name; unset: Azure Container Apps' <c>CONTAINER_APP_REVISION</c>, else "local".</summary>
    public string? Name { get; set; }

    /// <summary>Tools this revision does not serve: not listed, and a call answers "unknown tool".</summary>
    public List<string> HiddenTools { get; set; } = [];

    /// <summary>Prompts this revision does not serve.</summary>
    public List<string> HiddenPrompts { get; set; } = [];

    /// <summary>Resources and resource templates (by URI or URI template) this revision does not serve.</summary>
    public List<string> HiddenResources { get; set; } = [];
}

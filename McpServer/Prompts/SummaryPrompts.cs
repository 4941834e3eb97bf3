using System.ComponentModel;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Prynai.McpServer.Prompts;

/// <summary>quick_summary: a structured summarization prompt (the original system's, with a tone).</summary>
[McpServerPromptType]
public sealed class SummaryPrompts
{
    public const string QuickSummary = "quick_summary";
    public const string ToneArgument = "tone";
    public static readonly string[] Tones = ["formal", "informal"];
    private const int MaxTitleLength = 500;

    [McpServerPrompt(Name = QuickSummary, Title = "Quick summary")]
    [Description("Asks for a concise summary of a document, in a formal or informal tone.")]
    public static IEnumerable<PromptMessage> Summarize(
        [Description("The document's title.")] string title = "Untitled",
        [Description("\"formal\" or \"informal\".")] string tone = "formal")
    {
        if (!Tones.Contains(tone, StringComparer.Ordinal))
        {
            throw new McpProtocolException($"Invalid argument 'tone': expected one of {string.Join(", ", Tones)}, got '{tone}'.", McpErrorCode.InvalidParams);
        }
        if (title.Length > MaxTitleLength)
        {
            throw new McpProtocolException($"Invalid argument 'title': at most {MaxTitleLength} characters.", McpErrorCode.InvalidParams);
        }

        return
        [
            new PromptMessage
            {
                Role = Role.User,
                Content = new TextContentBlock { Text = $"Write a concise, {tone} summary. Document title: {title}" },
            },
            new PromptMessage
            {
                Role = Role.Assistant,
                Content = new TextContentBlock { Text = "Understood. Send the document text and I will summarize it." },
            },
        ];
    }
}

/// <summary>Offers quick_summary's tone values that start with what was typed.</summary>
internal sealed class SummaryPromptCompletions : ICompletionSource
{
    public IReadOnlyList<string>? Complete(Reference reference, string argument, string typed) =>
        reference is PromptReference { Name: SummaryPrompts.QuickSummary } && argument == SummaryPrompts.ToneArgument
            ? [.. SummaryPrompts.Tones.Where(tone => tone.StartsWith(typed, StringComparison.OrdinalIgnoreCase))]
            : null;
}

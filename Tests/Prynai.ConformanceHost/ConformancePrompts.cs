using System.ComponentModel;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Prynai.McpServer.Prompts;
using static Prynai.ConformanceHost.InputResponses;

namespace Prynai.ConformanceHost;

/// <summary>The conformance suite's prompts.</summary>
[McpServerPromptType]
public sealed class ConformancePrompts
{
    [McpServerPrompt(Name = "test_simple_prompt"), Description("A prompt without arguments.")]
    public static string SimplePrompt() => "This is a simple prompt for testing.";

    [McpServerPrompt(Name = "test_prompt_with_arguments"), Description("A prompt with two required arguments.")]
    public static string PromptWithArguments([Description("First argument.")] string arg1, [Description("Second argument.")] string arg2) =>
        $"Prompt with arguments: arg1='{arg1}', arg2='{arg2}'";

    [McpServerPrompt(Name = "test_prompt_with_embedded_resource"), Description("A prompt embedding a resource.")]
    public static IEnumerable<PromptMessage> PromptWithEmbeddedResource([Description("The resource to embed.")] string resourceUri) =>
    [
        new PromptMessage
        {
            Role = Role.User,
            Content = new EmbeddedResourceBlock
            {
                Resource = new TextResourceContents { Uri = resourceUri, MimeType = "text/plain", Text = "Embedded resource content for testing." },
            },
        },
        new PromptMessage { Role = Role.User, Content = new TextContentBlock { Text = "Please process the embedded resource above." } },
    ];

    [McpServerPrompt(Name = "test_prompt_with_image"), Description("A prompt with an image.")]
    public static IEnumerable<PromptMessage> PromptWithImage() =>
    [
        new PromptMessage { Role = Role.User, Content = ImageContentBlock.FromBytes(ConformanceContent.Png, "image/png") },
        new PromptMessage { Role = Role.User, Content = new TextContentBlock { Text = "Please analyze the image above." } },
    ];

    [McpServerPrompt(Name = "test_input_required_result_prompt"), Description("A prompt that first asks the user for context (input-required).")]
    public static string InputRequiredPrompt(RequestContext<GetPromptRequestParams> request) =>
        Accepted(request.Params, "user_context") is { } answer
            ? $"Context: {answer["context"]}"
            : throw Ask(new() { ["user_context"] = Elicit("What context should the prompt use?", "context") });
}

/// <summary>completion/complete for test_prompt_with_arguments: the suite only needs a list (possibly empty).</summary>
internal sealed class ConformanceCompletions : ICompletionSource
{
    public IReadOnlyList<string>? Complete(Reference reference, string argument, string typed) =>
        reference is PromptReference { Name: "test_prompt_with_arguments" } ? [] : null;
}

using System.ComponentModel;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Prynai.McpServer.Tools;
using Prynai.McpServer.Transport;
using ProtocolServer = ModelContextProtocol.Server.McpServer;

namespace Prynai.ConformanceHost;

// The suite exercises sampling and logging, deprecated by protocol 2026-07-28 (MCP9005) but served on older revisions.
#pragma warning disable MCP9005

/// <summary>The conformance suite's content, error, progress, logging, sampling and elicitation fixtures.</summary>
[McpServerToolType]
public sealed class ConformanceTools
{
    [McpServerTool(Name = "test_simple_text"), Description("Returns a simple text response.")]
    public static string SimpleText() => "This is a simple text response for testing.";

    [McpServerTool(Name = "test_image_content"), Description("Returns an image (a 1x1 PNG).")]
    public static CallToolResult ImageContent() => new() { Content = [ImageContentBlock.FromBytes(ConformanceContent.Png, "image/png")] };

    [McpServerTool(Name = "test_audio_content"), Description("Returns audio (a minimal WAV).")]
    public static CallToolResult AudioContent() => new() { Content = [AudioContentBlock.FromBytes(ConformanceContent.Wav, "audio/wav")] };

    [McpServerTool(Name = "test_embedded_resource"), Description("Returns an embedded text resource.")]
    public static CallToolResult EmbeddedResource() => new()
    {
        Content = [new EmbeddedResourceBlock
        {
            Resource = new TextResourceContents { Uri = "test://embedded-resource", MimeType = "text/plain", Text = "This is an embedded resource content." },
        }],
    };

    [McpServerTool(Name = "test_multiple_content_types"), Description("Returns text, an image and an embedded resource.")]
    public static CallToolResult MultipleContentTypes() => new()
    {
        Content =
        [
            new TextContentBlock { Text = "Multiple content types test:" },
            ImageContentBlock.FromBytes(ConformanceContent.Png, "image/png"),
            new EmbeddedResourceBlock
            {
                Resource = new TextResourceContents { Uri = "test://mixed-content-resource", MimeType = "application/json", Text = """{"test":"data","value":123}""" },
            },
        ],
    };

    [McpServerTool(Name = "test_error_handling"), Description("Always returns a tool error.")]
    public static CallToolResult ErrorHandling() => new()
    {
        IsError = true,
        Content = [new TextContentBlock { Text = "This tool intentionally returns an error for testing" }],
    };

    [McpServerTool(Name = "test_tool_with_progress"), Description("Reports progress 0, 50 and 100 of 100.")]
    public static async Task<string> ToolWithProgress(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        foreach (var progress in new[] { 0, 50, 100 })
        {
            if (progress > 0)
            {
                await Task.Delay(50, cancellationToken);
            }
            await request.ReportProgressAsync(progress, 100, $"{progress}%", cancellationToken);
        }
        return "Progress complete";
    }

    [McpServerTool(Name = "test_tool_with_logging"), Description("Sends three info log notifications.")]
    public static async Task<string> ToolWithLogging(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        foreach (var message in new[] { "Tool execution started", "Tool processing data", "Tool execution completed" })
        {
            await request.InfoAsync(message, cancellationToken);
            await Task.Delay(50, cancellationToken);
        }
        return "Logging complete";
    }

    [McpServerTool(Name = "test_sampling"), Description("Asks the client's model to answer a prompt.")]
    public static async Task<CallToolResult> Sampling(ProtocolServer server, [Description("The prompt to send.")] string prompt, CancellationToken cancellationToken)
    {
        if (CannotAsk(server, "test_sampling", "sampling", server.ClientCapabilities?.Sampling is not null) is { } refusal)
        {
            return refusal;
        }
        var result = await server.SampleAsync(new CreateMessageRequestParams
        {
            Messages = [new SamplingMessage { Role = Role.User, Content = [new TextContentBlock { Text = prompt }] }],
            MaxTokens = 100,
        }, cancellationToken);
        return Text("LLM response: " + string.Concat(result.Content.OfType<TextContentBlock>().Select(b => b.Text)));
    }

    [McpServerTool(Name = "test_elicitation"), Description("Asks the user for a username and an email address.")]
    public static async Task<CallToolResult> Elicitation(ProtocolServer server, [Description("What to ask.")] string message, CancellationToken cancellationToken)
    {
        if (CannotAsk(server, "test_elicitation", "elicitation", server.ClientCapabilities?.Elicitation is not null) is { } refusal)
        {
            return refusal;
        }
        var result = await server.ElicitAsync(new ElicitRequestParams
        {
            Message = message,
            RequestedSchema = new ElicitRequestParams.RequestSchema
            {
                Properties = new Dictionary<string, ElicitRequestParams.PrimitiveSchemaDefinition>
                {
                    ["username"] = new ElicitRequestParams.StringSchema { Description = "User's response" },
                    ["email"] = new ElicitRequestParams.StringSchema { Description = "User's email address" },
                },
                Required = ["username", "email"],
            },
        }, cancellationToken);
        return Text($"User response: action={result.Action}, content={System.Text.Json.JsonSerializer.Serialize(result.Content)}");
    }

    [McpServerTool(Name = "test_elicitation_sep1034_defaults"), Description("Elicits fields that carry default values (SEP-1034).")]
    public static async Task<CallToolResult> ElicitationDefaults(ProtocolServer server, CancellationToken cancellationToken)
    {
        if (CannotAsk(server, "test_elicitation_sep1034_defaults", "elicitation", server.ClientCapabilities?.Elicitation is not null) is { } refusal)
        {
            return refusal;
        }
        var result = await server.ElicitAsync(new ElicitRequestParams
        {
            Message = "Please review your profile (defaults filled in)",
            RequestedSchema = new ElicitRequestParams.RequestSchema
            {
                Properties = new Dictionary<string, ElicitRequestParams.PrimitiveSchemaDefinition>
                {
                    ["name"] = new ElicitRequestParams.StringSchema { Default = "John Doe" },
                    ["age"] = new ElicitRequestParams.NumberSchema { Type = "integer", Default = 30 },
                    ["score"] = new ElicitRequestParams.NumberSchema { Default = 95.5 },
                    ["status"] = new ElicitRequestParams.UntitledSingleSelectEnumSchema { Enum = ["active", "inactive", "pending"], Default = "active" },
                    ["verified"] = new ElicitRequestParams.BooleanSchema { Default = true },
                },
            },
        }, cancellationToken);
        return Text($"Elicitation completed: action={result.Action}");
    }

#pragma warning disable MCP9001 // the legacy enumNames form is one of the five shapes the suite checks
    [McpServerTool(Name = "test_elicitation_sep1330_enums"), Description("Elicits the five enum shapes of SEP-1330.")]
    public static async Task<CallToolResult> ElicitationEnums(ProtocolServer server, CancellationToken cancellationToken)
    {
        if (CannotAsk(server, "test_elicitation_sep1330_enums", "elicitation", server.ClientCapabilities?.Elicitation is not null) is { } refusal)
        {
            return refusal;
        }
        var result = await server.ElicitAsync(new ElicitRequestParams
        {
            Message = "Choose some options",
            RequestedSchema = new ElicitRequestParams.RequestSchema
            {
                Properties = new Dictionary<string, ElicitRequestParams.PrimitiveSchemaDefinition>
                {
                    ["untitledSingle"] = new ElicitRequestParams.UntitledSingleSelectEnumSchema { Enum = ["option1", "option2", "option3"] },
                    ["titledSingle"] = new ElicitRequestParams.TitledSingleSelectEnumSchema
                    {
                        OneOf =
                        [
                            new() { Const = "value1", Title = "First Option" },
                            new() { Const = "value2", Title = "Second Option" },
                            new() { Const = "value3", Title = "Third Option" },
                        ],
                    },
                    ["legacyEnum"] = new ElicitRequestParams.LegacyTitledEnumSchema
                    {
                        Enum = ["opt1", "opt2", "opt3"],
                        EnumNames = ["Option One", "Option Two", "Option Three"],
                    },
                    ["untitledMulti"] = new ElicitRequestParams.UntitledMultiSelectEnumSchema
                    {
                        Items = new() { Type = "string", Enum = ["option1", "option2", "option3"] },
                    },
                    ["titledMulti"] = new ElicitRequestParams.TitledMultiSelectEnumSchema
                    {
                        Items = new()
                        {
                            AnyOf =
                            [
                                new() { Const = "value1", Title = "First Choice" },
                                new() { Const = "value2", Title = "Second Choice" },
                                new() { Const = "value3", Title = "Third Choice" },
                            ],
                        },
                    },
                },
            },
        }, cancellationToken);
        return Text($"Elicitation completed: action={result.Action}");
    }
#pragma warning restore MCP9001

    private static CallToolResult Text(string text) => new() { Content = [new TextContentBlock { Text = text }] };

    /// <summary>
    /// A tool error saying why the server cannot ask the client now, or null when it can: these fixtures ask during
    /// the call, which needs a session and the capability declared (the SDK would throw otherwise).
    /// </summary>
    private static CallToolResult? CannotAsk(ProtocolServer server, string tool, string capability, bool declared)
    {
        var reason = ProtocolRevisions.UsesPerRequestMetadata(server.NegotiatedProtocolVersion)
            ? $"{tool} asks the client during the call, which needs a session (protocol 2025-11-25 or older); on 2026-07-28 the input-required fixtures (test_input_*) ask instead."
            : declared ? null : $"{tool} needs a client that declares the {capability} capability.";
        return reason is null ? null : new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = reason }] };
    }
}

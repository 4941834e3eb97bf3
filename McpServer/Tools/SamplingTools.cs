using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using ProtocolServer = ModelContextProtocol.Server.McpServer;

namespace Prynai.McpServer.Tools;

// Sampling is deprecated by protocol 2026-07-28 (MCP9005) in favour of input-required results, which this tool also
// uses; the older revisions it serves still sample through server-initiated requests.
#pragma warning disable MCP9005

/// <summary>summarize_via_client_llm: asks the caller's own model for a summary (no model service is called).</summary>
[McpServerToolType]
public sealed class SamplingTools
{
    public const string Unavailable = "sampling unavailable";
    public const int MaxTextLength = 200_000;
    private const string SamplingKey = "summary";

    [McpServerTool(Name = "summarize_via_client_llm", Title = "Summarize with the client's model", ReadOnly = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Summarizes text with the calling client's language model through MCP sampling. " +
                 "Returns \"sampling unavailable\" when the client cannot sample.")]
    public static SummaryResult SummarizeViaClientLlm(
        ProtocolServer server,
        RequestContext<CallToolRequestParams> context,
        IOptions<ToolOptions> options,
        [Description("The text to summarize."), MaxLength(MaxTextLength)] string text)
    {
        // Second round: the client has answered the sampling request (input-required retry, or the SDK's
        // server-initiated request for session clients, which re-invokes this method with the answer).
        if (context.Params?.InputResponses is { } responses && responses.TryGetValue(SamplingKey, out var response))
        {
            var answer = response.Deserialize(InputResponse.CreateMessageResultJsonTypeInfo);
            var summary = string.Concat(answer?.Content?.OfType<TextContentBlock>().Select(block => block.Text) ?? []);
            return new SummaryResult(summary, "client-llm", answer?.Model);
        }

        if (!CanSample(server))
        {
            return new SummaryResult(Unavailable, "fallback", null);
        }

        throw new InputRequiredException(
            new Dictionary<string, InputRequest>
            {
                [SamplingKey] = InputRequest.ForSampling(new CreateMessageRequestParams
                {
                    SystemPrompt = "You write concise, faithful summaries.",
                    Messages =
                    [
                        new SamplingMessage
                        {
                            Role = Role.User,
                            Content = [new TextContentBlock { Text = $"Summarize the following text in at most three sentences:\n\n{text}" }],
                        },
                    ],
                    MaxTokens = options.Value.SummaryMaxTokens,
                }),
            },
            requestState: null);
    }

    /// <summary>
    /// The client declared sampling, and this exchange can carry the request: either as an input-required result
    /// (2026-07-28) or as a server-initiated request on a live session.
    /// </summary>
    internal static bool CanSample(ProtocolServer server) =>
        server.ClientCapabilities?.Sampling is not null && (server.IsMrtrSupported || server.SessionId is not null);
}

/// <summary>The outcome of summarize_via_client_llm.</summary>
public sealed record SummaryResult(
    [property: Description("The summary, or \"sampling unavailable\".")] string Summary,
    [property: Description("\"client-llm\" when the client's model answered, \"fallback\" otherwise.")] string Source,
    [property: Description("The model the client reported; absent when it did not answer.")] string? Model);

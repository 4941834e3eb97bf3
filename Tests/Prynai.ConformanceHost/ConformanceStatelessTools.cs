using System.ComponentModel;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Prynai.McpServer.State;
using Prynai.McpServer.Tools;
using static Prynai.ConformanceHost.InputResponses;
using ProtocolServer = ModelContextProtocol.Server.McpServer;

namespace Prynai.ConformanceHost;

// The suite's multi-round-trip fixtures ask for sampling and roots (MCP9005), deprecated by 2026-07-28 as requests.
#pragma warning disable MCP9005

/// <summary>Fixtures of protocol 2026-07-28: capability checks, logging opt-in, list-change triggers, input-required results.</summary>
[McpServerToolType]
public sealed class ConformanceStatelessTools
{
    [McpServerTool(Name = "test_missing_capability"), Description("Needs the client's sampling capability.")]
    public static string MissingCapability(ProtocolServer server) => server.ClientCapabilities?.Sampling is not null
        ? "Sampling capability is declared"
        : throw new MissingRequiredClientCapabilityException(new ClientCapabilities { Sampling = new() }, "Missing required client capability: sampling");

    [McpServerTool(Name = "test_streaming_elicitation"), Description("Asks for confirmation through an input-required result.")]
    public static string StreamingElicitation(RequestContext<CallToolRequestParams> request) =>
        Accepted(request.Params, "confirm") is not null
            ? "Streaming complete"
            : throw Ask(new() { ["confirm"] = Elicit("Confirm?", "ok", "boolean") });

    [McpServerTool(Name = "test_logging_tool"), Description("Logs one message, only when the request asks for logs.")]
    public static async Task<string> LoggingTool(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        await request.InfoAsync("test_logging_tool executed", cancellationToken);
        return "Logged";
    }

    [McpServerTool(Name = "test_trigger_tool_change"), Description("Announces a tools list change to listeners.")]
    public static async Task<string> TriggerToolChange(IStateStore store, CancellationToken cancellationToken)
    {
        await store.PublishAsync(new StateChange(StateTopics.ListChanged, NotificationMethods.ToolListChangedNotification), cancellationToken);
        return "tools list_changed sent";
    }

    [McpServerTool(Name = "test_trigger_prompt_change"), Description("Announces a prompts list change to listeners.")]
    public static async Task<string> TriggerPromptChange(IStateStore store, CancellationToken cancellationToken)
    {
        await store.PublishAsync(new StateChange(StateTopics.ListChanged, NotificationMethods.PromptListChangedNotification), cancellationToken);
        return "prompts list_changed sent";
    }

    [McpServerTool(Name = "test_input_required_result_elicitation"), Description("Asks the user's name (input-required).")]
    public static string InputElicitation(RequestContext<CallToolRequestParams> request) =>
        Accepted(request.Params, "user_name") is { } answer && answer["name"] is JsonValue name
            ? $"Hello, {name}!"
            : throw Ask(new() { ["user_name"] = Elicit("What is your name?", "name") });

    [McpServerTool(Name = "test_input_required_result_sampling"), Description("Asks the client's model a question (input-required).")]
    public static string InputSampling(RequestContext<CallToolRequestParams> request) =>
        Answer(request.Params, "capital_question") is { } answer
            ? $"Sampling said: {answer["content"]?["text"]}"
            : throw Ask(new() { ["capital_question"] = Sample("What is the capital of France?", 100) });

    [McpServerTool(Name = "test_input_required_result_list_roots"), Description("Asks for the client's roots (input-required).")]
    public static string InputListRoots(RequestContext<CallToolRequestParams> request) =>
        Answer(request.Params, "client_roots") is { } answer
            ? $"Roots: {string.Join(", ", (answer["roots"] as JsonArray ?? []).Select(root => root?["uri"]))}"
            : throw Ask(new() { ["client_roots"] = Roots() });

    [McpServerTool(Name = "test_input_required_result_request_state"), Description("Round-trips signed request state.")]
    public static string InputRequestState(RequestContext<CallToolRequestParams> request)
    {
        if (request.Params?.InputResponses is not null && Verify(request.Params.RequestState)["tool"]?.GetValue<string>() == "request_state" &&
            Accepted(request.Params, "confirm") is not null)
        {
            return "state-ok";
        }
        throw Ask(new() { ["confirm"] = Elicit("Please confirm", "ok", "boolean") }, Sign(new JsonObject { ["tool"] = "request_state" }));
    }

    [McpServerTool(Name = "test_input_required_result_multiple_inputs"), Description("Asks for three inputs at once.")]
    public static string InputMultiple(RequestContext<CallToolRequestParams> request)
    {
        if (Accepted(request.Params, "user_name") is { } user && Answer(request.Params, "greeting") is not null && Answer(request.Params, "client_roots") is not null)
        {
            Verify(request.Params!.RequestState);
            return $"Hello {user["name"]}";
        }
        throw Ask(new()
        {
            ["user_name"] = Elicit("What is your name?", "name"),
            ["greeting"] = Sample("Generate a greeting", 50),
            ["client_roots"] = Roots(),
        }, Sign(new JsonObject { ["tool"] = "multiple_inputs" }));
    }

    [McpServerTool(Name = "test_input_required_result_multi_round"), Description("Asks two questions in two rounds.")]
    public static string InputMultiRound(RequestContext<CallToolRequestParams> request)
    {
        if (request.Params?.RequestState is { } signed)
        {
            var state = Verify(signed);
            var round = state["round"]?.GetValue<int>();
            if (round == 1 && Accepted(request.Params, "step1") is { } first)
            {
                throw Ask(new() { ["step2"] = Elicit("Step 2: What is your favorite color?", "color") },
                    Sign(new JsonObject { ["round"] = 2, ["name"] = first["name"]?.DeepClone() }));
            }
            if (round == 2 && Accepted(request.Params, "step2") is { } second)
            {
                return $"{state["name"]} likes {second["color"]}";
            }
        }
        throw Ask(new() { ["step1"] = Elicit("Step 1: What is your name?", "name") }, Sign(new JsonObject { ["round"] = 1 }));
    }

    [McpServerTool(Name = "test_input_required_result_tampered_state"), Description("Refuses request state it did not sign.")]
    public static string InputTamperedState(RequestContext<CallToolRequestParams> request)
    {
        if (request.Params?.InputResponses is not null)
        {
            Verify(request.Params.RequestState);
            return "state verified";
        }
        throw Ask(new() { ["confirm"] = Elicit("Please confirm", "ok", "boolean") }, Sign(new JsonObject { ["tool"] = "tampered_state" }));
    }

    [McpServerTool(Name = "test_input_required_result_capabilities"), Description("Asks only for what the client declared it can provide.")]
    public static string InputCapabilities(ProtocolServer server, RequestContext<CallToolRequestParams> request)
    {
        var capabilities = server.ClientCapabilities;
        var requests = new Dictionary<string, InputRequest>();
        if (capabilities?.Sampling is not null)
        {
            requests["sample"] = Sample("Say hi", 20);
        }
        if (capabilities?.Elicitation is not null)
        {
            requests["ask"] = Elicit("Your name?", "name");
        }
        if (capabilities?.Roots is not null)
        {
            requests["roots"] = Roots();
        }
        return request.Params?.InputResponses is not null || requests.Count == 0 ? "done" : throw Ask(requests);
    }
}

// The SDK's extension points for custom methods and alternate tool results are marked for evaluation (MCPEXP002).
#pragma warning disable MCPEXP002

using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Prynai.McpServer.Transport;
using ProtocolServer = ModelContextProtocol.Server.McpServer;

namespace Prynai.McpServer.Tasks;

/// <summary>
/// The request context a round of task work runs in: detached from the HTTP request that started it (which ends
/// long before the work does), with its own services, the caller's identity and capabilities, and the execution in
/// its items so progress becomes the task's status message.
/// </summary>
internal static class TaskRounds
{
    /// <summary>The first round runs the rest of the tools/call pipeline (authorization, argument checks, the tool).</summary>
    public static RequestContext<CallToolRequestParams> First(RequestContext<CallToolRequestParams> request, TaskExecution execution, IServiceProvider services)
    {
        var original = request.JsonRpcRequest;
        var message = new JsonRpcRequest { Id = original.Id, Method = original.Method, Params = original.Params, Context = Detached(original.Context) };
        return new RequestContext<CallToolRequestParams>(InsideTask(request.Server), message, request.Params)
        {
            MatchedPrimitive = request.MatchedPrimitive,
            Services = services,
            User = request.User,
            Items = new Dictionary<string, object?> { [TaskExecution.ItemKey] = execution },
        };
    }

    /// <summary>
    /// A later round, after tasks/update answered every input request: the tool runs again with the answers and its
    /// request state, like a multi round-trip retry. It passed authorization and argument checks in the first round,
    /// and only the same caller can answer.
    /// </summary>
    public static async ValueTask<ResultOrAlternate<CallToolResult>> ResumeAsync(MessageContext update, TaskRecord task, TaskExecution execution,
        IServiceProvider services, CancellationToken cancellationToken)
    {
        if (update.Server.ServerOptions.ToolCollection?.TryGetPrimitive(task.Tool, out var tool) != true || tool is null)
        {
            throw new McpProtocolException($"The tool '{task.Tool}' is no longer served, so the task cannot resume.", McpErrorCode.InternalError);
        }
        var parameters = new JsonObject { ["name"] = task.Tool };
        if (task.Arguments is { } arguments)
        {
            parameters["arguments"] = JsonNode.Parse(arguments.GetRawText());
        }
        var responses = new JsonObject();
        foreach (var (key, response) in task.InputResponses ?? [])
        {
            responses[key] = JsonNode.Parse(response.GetRawText());
        }
        parameters["inputResponses"] = responses;
        if (task.RequestState is { } state)
        {
            parameters["requestState"] = state;
        }

        var message = new JsonRpcRequest
        {
            Id = new RequestId($"task:{task.Id}:{task.Round}"),
            Method = RequestMethods.ToolsCall,
            Params = parameters,
            Context = Detached(update.JsonRpcMessage.Context),
        };
        var typed = JsonSerializer.Deserialize(parameters, (System.Text.Json.Serialization.Metadata.JsonTypeInfo<CallToolRequestParams>)
            McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(CallToolRequestParams)))!;
        var context = new RequestContext<CallToolRequestParams>(InsideTask(update.Server), message, typed)
        {
            MatchedPrimitive = tool,
            Services = services,
            User = update.User,
            Items = new Dictionary<string, object?> { [TaskExecution.ItemKey] = execution },
        };
        return await tool.InvokeAsync(context, cancellationToken);
    }

    /// <summary>
    /// The round of a task handed over by a draining replica, started again here from the record alone: the tool with
    /// its arguments, and the answers and request state of the round, if it had any. No request brought it, so it runs
    /// on a server of its own, without a caller identity (only <see cref="RunsAsTaskAttribute.Restartable"/> tools
    /// are handed over: their work depends on their arguments alone).
    /// </summary>
    public static async ValueTask<ResultOrAlternate<CallToolResult>> RestartAsync(TaskRecord task, TaskExecution execution, McpServerOptions options,
        IServiceProvider services, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        if (options.ToolCollection?.TryGetPrimitive(task.Tool, out var tool) != true || tool is null)
        {
            throw new McpProtocolException($"The tool '{task.Tool}' is not served by this replica's revision, so the task cannot resume here.", McpErrorCode.InternalError);
        }
        var parameters = new JsonObject { ["name"] = task.Tool };
        if (task.Arguments is { } arguments)
        {
            parameters["arguments"] = JsonNode.Parse(arguments.GetRawText());
        }
        if (task.InputResponses is { Count: > 0 } answers)
        {
            parameters["inputResponses"] = new JsonObject(answers.Select(answer => KeyValuePair.Create(answer.Key, JsonNode.Parse(answer.Value.GetRawText()))));
        }
        if (task.RequestState is { } state)
        {
            parameters["requestState"] = state;
        }
        var message = new JsonRpcRequest
        {
            Id = new RequestId($"task:{task.Id}:{task.Round}:restart"),
            Method = RequestMethods.ToolsCall,
            Params = parameters,
            Context = new JsonRpcMessageContext { ProtocolVersion = ProtocolRevisions.V2026_07_28 },
        };
        var typed = JsonSerializer.Deserialize(parameters, (System.Text.Json.Serialization.Metadata.JsonTypeInfo<CallToolRequestParams>)
            McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(CallToolRequestParams)))!;
        // The server only gives the round a context (its tools, services, a server to refuse outgoing requests); it runs no loop.
        await using var transport = new StreamableHttpServerTransport(loggerFactory) { Stateless = true };
        await using var server = ProtocolServer.Create(transport, options, loggerFactory, services);
        var context = new RequestContext<CallToolRequestParams>(InsideTask(server), message, typed)
        {
            MatchedPrimitive = tool,
            Services = services,
            Items = new Dictionary<string, object?> { [TaskExecution.ItemKey] = execution },
        };
        return await tool.InvokeAsync(context, cancellationToken);
    }

    private static JsonRpcMessageContext Detached(JsonRpcMessageContext? context) => new()
    {
        User = context?.User,
        ProtocolVersion = context?.ProtocolVersion ?? ProtocolRevisions.V2026_07_28,
        ClientCapabilities = context?.ClientCapabilities,
        ClientInfo = context?.ClientInfo,
    };

    /// <summary>
    /// The task's work outlives the request stream, so it cannot send the client requests: a tool that tries learns
    /// how to ask instead (an input-required result, which the task surfaces as inputRequests).
    /// </summary>
    private static ProtocolServer InsideTask(ProtocolServer server) => server.WithOutgoingRequestInterceptor((method, _, _) =>
        ValueTask.FromException<JsonNode?>(new McpProtocolException(
            $"A tool running as a task cannot send '{method}' to the client; it asks through an input-required result " +
            "(InputRequiredException), which the task shows as inputRequests.", McpErrorCode.InternalError)));
}

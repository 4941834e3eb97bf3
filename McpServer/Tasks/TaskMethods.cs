using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Server;
using Prynai.McpServer.Security;
using Prynai.McpServer.State;

namespace Prynai.McpServer.Tasks;

/// <summary>
/// tasks/get, tasks/update and tasks/cancel, on any replica. A task is visible only to its caller: anyone else, like
/// a caller with an unknown or expired id, gets -32602. Clients that do not declare the extension get -32021.
/// </summary>
internal sealed class TaskMethods(ITaskStore store, TaskRunner runner, IStateStore state, IOptions<TaskOptions> options, TimeProvider time)
{
    public async ValueTask<JsonNode?> GetAsync(RequestContext<JsonNode?> request, CancellationToken cancellationToken)
    {
        var id = Gate(request, TaskProtocol.Get);
        var task = await store.GetAsync(id, cancellationToken);
        return task is not null && task.Requester == Caller(request) ? TaskProtocol.Detailed(task) : throw NotFound(id);
    }

    public async ValueTask<JsonNode?> UpdateAsync(RequestContext<JsonNode?> request, CancellationToken cancellationToken)
    {
        var id = Gate(request, TaskProtocol.Update);
        if (request.Params?["inputResponses"] is not JsonObject responses)
        {
            throw new McpProtocolException("tasks/update needs params.inputResponses: an object whose keys are those of the task's inputRequests.",
                McpErrorCode.InvalidParams);
        }
        var answers = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var (key, response) in responses)
        {
            answers[key] = JsonSerializer.SerializeToElement(response, TaskNodeJson.Default.JsonNode);
        }

        var caller = Caller(request);
        var update = await store.UpdateAsync(id, task => task.Requester == caller
            ? TaskTransitions.Answered(task, answers, runner.ReplicaId, time.GetUtcNow())
            : null, cancellationToken);
        if (update is null || update.Task.Requester != caller)
        {
            throw NotFound(id);
        }
        if (update.Changed && update.Task.Status == TaskStatuses.Working && update.Task.Owner == runner.ReplicaId)
        {
            // Every request is answered: the tool's next round runs here, whichever replica ran the last one.
            var resumed = update.Task;
            var movable = request.Server.ServerOptions.ToolCollection?.TryGetPrimitive(resumed.Tool, out var tool) == true && TaskCallFilter.IsRestartable(tool!);
            runner.Start(resumed, exposed: true, (execution, services, token) => TaskRounds.ResumeAsync(request, resumed, execution, services, token), movable);
        }
        return TaskProtocol.Acknowledgement();
    }

    public async ValueTask<JsonNode?> CancelAsync(RequestContext<JsonNode?> request, CancellationToken cancellationToken)
    {
        var id = Gate(request, TaskProtocol.Cancel);
        var caller = Caller(request);
        var update = await store.UpdateAsync(id, task => task.Requester == caller && task.IsLive
            ? TaskTransitions.Cancelled(task, options.Value, time.GetUtcNow())
            : null, cancellationToken);
        if (update is null || update.Task.Requester != caller)
        {
            throw NotFound(id);
        }
        if (update.Changed && update.Task.Owner is not null && !runner.Stop(id, StopReason.Cancelled))
        {
            // The work runs on another replica: the change feed reaches it (its periodic re-read is the fallback).
            await state.PublishAsync(new StateChange(TaskSupervisor.CancelTopic, id), cancellationToken);
        }
        return TaskProtocol.Acknowledgement();
    }

    private static string Gate(RequestContext<JsonNode?> request, string method)
    {
        if (!TaskProtocol.IsTaskRevision(request))
        {
            throw new McpProtocolException($"Method '{method}' belongs to {TaskProtocol.ExtensionId}, which this server offers on protocol 2026-07-28 only.",
                McpErrorCode.MethodNotFound);
        }
        if (!TaskProtocol.Declares(request.JsonRpcRequest))
        {
            throw TaskProtocol.MissingExtension(method);
        }
        return request.Params?["taskId"] is JsonValue value && value.TryGetValue(out string? id) && id.Length > 0
            ? id
            : throw new McpProtocolException($"{method} needs params.taskId, the id of one of your tasks.", McpErrorCode.InvalidParams);
    }

    private static string Caller(MessageContext request) => CallerIdentity.Of(request.User) ?? TaskCallFilter.Anonymous;

    private static McpProtocolException NotFound(string id) =>
        new($"Failed to retrieve task: Task not found ('{id}' does not exist, has expired, or belongs to another caller).", McpErrorCode.InvalidParams);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(JsonNode))]
internal sealed partial class TaskNodeJson : System.Text.Json.Serialization.JsonSerializerContext;

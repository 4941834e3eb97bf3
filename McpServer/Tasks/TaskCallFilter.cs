// The SDK's extension points for custom methods and alternate tool results are marked for evaluation (MCPEXP002).
#pragma warning disable MCPEXP002

using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Prynai.McpServer.Security;
using Prynai.McpServer.State;
using Prynai.McpServer.Tools;

namespace Prynai.McpServer.Tasks;

/// <summary>
/// Server-directed task creation: a tools/call of a tool that runs as a task, from a 2026-07-28 client that declares
/// the extension, returns a CreateTaskResult as soon as the task is stored, and the work goes on in the background.
/// Other calls pass through; a call of a task-only tool from a client without the extension gets -32021.
/// </summary>
internal sealed class TaskCallFilter(TaskRunner runner, ITaskStore store, IOptions<TaskOptions> options, TimeProvider time)
{
    public const string Anonymous = "anonymous";

    // Every tools/call passes here: what a tool's marking says is worked out once per tool.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<McpServerTool, RunsAsTaskAttribute?> _markings = new();

    public ValueTask<ResultOrAlternate<CallToolResult>> InvokeAsync(RequestContext<CallToolRequestParams> request,
        McpRequestHandler<CallToolRequestParams, ResultOrAlternate<CallToolResult>> next, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.Enabled || request.MatchedPrimitive is not McpServerTool tool || Marking(tool, settings) is not { } marking)
        {
            return next(request, cancellationToken);
        }
        if (!TaskProtocol.IsTaskRevision(request) || !TaskProtocol.Declares(request.JsonRpcRequest))
        {
            return marking.Support == TaskSupport.Required
                ? throw TaskProtocol.MissingExtension($"The tool '{tool.ProtocolTool.Name}' runs only as a task: calling it")
                : next(request, cancellationToken);
        }
        if (ToolArgumentValidator.Validate(tool, request.Params?.Arguments) is { Count: > 0 })
        {
            return next(request, cancellationToken); // answered at once with the precise tool error
        }
        return CreateAsync(request, next, tool, marking, settings, cancellationToken);
    }

    private RunsAsTaskAttribute? Marking(McpServerTool tool, TaskOptions settings)
    {
        if (!_markings.TryGetValue(tool, out var marking))
        {
            marking = Support(tool, settings);
            _markings.AddOrUpdate(tool, marking);
        }
        return marking;
    }

    /// <summary>How a tool runs as a task: configuration first (Tasks:Tools), then its [RunsAsTask] marking.</summary>
    private static RunsAsTaskAttribute? Support(McpServerTool tool, TaskOptions settings)
    {
        var marking = tool.Metadata.OfType<RunsAsTaskAttribute>().FirstOrDefault();
        if (settings.Tools.TryGetValue(tool.ProtocolTool.Name, out var configured))
        {
            marking = new RunsAsTaskAttribute(configured) { AsksBeforeTask = marking?.AsksBeforeTask ?? false, Restartable = marking?.Restartable ?? false };
        }
        return marking is { Support: not TaskSupport.Never } ? marking : null;
    }

    private async ValueTask<ResultOrAlternate<CallToolResult>> CreateAsync(RequestContext<CallToolRequestParams> request,
        McpRequestHandler<CallToolRequestParams, ResultOrAlternate<CallToolResult>> next, McpServerTool tool, RunsAsTaskAttribute marking,
        TaskOptions settings, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var task = new TaskRecord
        {
            Id = NewId(),
            Requester = CallerIdentity.Of(request.User) ?? Anonymous,
            Tool = tool.ProtocolTool.Name,
            Arguments = request.Params?.Arguments is { } arguments
                ? JsonSerializer.SerializeToElement(arguments, TaskArgumentsJson.Default.IDictionaryStringJsonElement)
                : null,
            Status = TaskStatuses.Working,
            StatusMessage = "Working.",
            CreatedAt = now,
            LastUpdatedAt = now,
            Deadline = now + settings.Ttl,
            ExpiresAt = now + settings.Ttl + settings.ResultTtl,
            PollIntervalMs = (int)settings.PollInterval.TotalMilliseconds,
            Owner = runner.ReplicaId,
            OwnerSince = now,
        };
        try
        {
            await store.CreateAsync(task, new TaskLimits(settings.MaxLiveTasksPerCaller, settings.MaxLiveTasks), cancellationToken);
        }
        catch (TaskLimitExceededException ex)
        {
            return TaskRunner.ToolError(ex.Message);
        }
        catch (StateStoreUnavailableException ex)
        {
            return TaskRunner.ToolError($"Tool '{task.Tool}' could not start as a task: {ex.Message}");
        }

        var execution = runner.Start(task, exposed: !marking.AsksBeforeTask,
            (execution, services, token) => next(TaskRounds.First(request, execution, services), token), movable: marking.Restartable);
        if (marking.AsksBeforeTask)
        {
            if (!execution.Outcome.IsCompleted)
            {
                await Task.WhenAny(execution.Outcome, Task.Delay(settings.InputWindow, time, cancellationToken));
            }
            var askedAtOnce = execution.Outcome.IsCompleted && execution.Outcome.Result is TaskOutcome.NeedsInput;
            if (askedAtOnce || cancellationToken.IsCancellationRequested)
            {
                // No task after all: the input is settled on this call (multi round-trip), or the caller left.
                execution.Stop(StopReason.Withdrawn);
                execution.Withdraw();
                await store.DeleteAsync(task.Id, CancellationToken.None);
                cancellationToken.ThrowIfCancellationRequested();
                throw new InputRequiredException(((TaskOutcome.NeedsInput)execution.Outcome.Result).Input);
            }
            execution.Expose();
        }
        if (execution.Outcome.IsCompleted)
        {
            await execution.Recorded;
            task = await store.GetAsync(task.Id, CancellationToken.None) ?? task;
        }
        return ResultOrAlternate<CallToolResult>.FromAlternate(TaskProtocol.Created(task), TaskProtocolJson.Default.CreateTaskResult);
    }

    /// <summary>Whether a tool's task work may start again on another replica (<see cref="RunsAsTaskAttribute.Restartable"/>).</summary>
    public static bool IsRestartable(McpServerTool tool) => tool.Metadata.OfType<RunsAsTaskAttribute>().FirstOrDefault()?.Restartable == true;

    /// <summary>144 random bits, URL-safe: unguessable, as the spec requires of ids that unlock stored state.</summary>
    private static string NewId() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');
}

[System.Text.Json.Serialization.JsonSerializable(typeof(IDictionary<string, JsonElement>))]
internal sealed partial class TaskArgumentsJson : System.Text.Json.Serialization.JsonSerializerContext;

using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Prynai.McpServer.Tasks;

/// <summary>Settings of the tasks extension (section <c>Tasks</c>).</summary>
public sealed class TaskOptions
{
    public const string SectionName = "Tasks";

    /// <summary>Offer io.modelcontextprotocol/tasks to 2026-07-28 clients.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long a task may run (or wait for input) from its creation; a task still live then fails.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan Ttl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a finished task's result or error stays readable after it ends.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan ResultTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The polling interval suggested to clients (pollIntervalMs).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Most live (working or input_required) tasks one caller may have.</summary>
    [Range(1, 5_000)]
    public int MaxLiveTasksPerCaller { get; set; } = 20;

    /// <summary>
    /// Most live tasks of all callers together, across replicas. At most 5,000: on Cosmos DB they are indexed in one
    /// document, which must stay under its 2 MB limit.
    /// </summary>
    [Range(1, 5_000)]
    public int MaxLiveTasks { get; set; } = 500;

    /// <summary>Largest result a task keeps (its JSON, in bytes); a larger one completes as a tool error saying so.</summary>
    [Range(1024, 1_500_000)]
    public int MaxResultBytes { get; set; } = 1024 * 1024;

    /// <summary>How often a replica running tasks tells the others it is alive.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A replica silent this long is considered dead: its tasks end as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.200", "00:10:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often each replica looks for tasks whose replica died or whose time ran out.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan ReaperInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a task-creating call waits for the tool to ask for input before the task exists: input asked within
    /// it is settled on the original request (multi round-trip) before any task is created, as the spec recommends.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:05")]
    public TimeSpan InputWindow { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Per-tool override of the [RunsAsTask] marking, e.g. <c>Tasks:Tools:long_task=Never</c>.</summary>
    public Dictionary<string, TaskSupport> Tools { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The longest a dead replica's task can stay "working": the lease plus one reaper pass.</summary>
    public TimeSpan DeadReplicaDetectionBound => LeaseDuration + ReaperInterval;
}

/// <summary>Cross-field rules of <see cref="TaskOptions"/>, checked at start.</summary>
internal sealed class TaskOptionsValidator : IValidateOptions<TaskOptions>
{
    public ValidateOptionsResult Validate(string? name, TaskOptions options)
    {
        var failures = new List<string>();
        if (options.LeaseDuration < options.HeartbeatInterval * 2)
        {
            failures.Add($"Tasks:LeaseDuration ({options.LeaseDuration}) must be at least twice Tasks:HeartbeatInterval ({options.HeartbeatInterval}), " +
                         "or a live replica's tasks could be failed between two heartbeats.");
        }
        if (options.MaxLiveTasksPerCaller > options.MaxLiveTasks)
        {
            failures.Add($"Tasks:MaxLiveTasksPerCaller ({options.MaxLiveTasksPerCaller}) cannot exceed Tasks:MaxLiveTasks ({options.MaxLiveTasks}).");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Whether a tool's calls become tasks for clients that declare the extension.</summary>
public enum TaskSupport
{
    /// <summary>Always answered synchronously.</summary>
    Never,

    /// <summary>A task for clients that declare the extension; synchronous for the others.</summary>
    Optional,

    /// <summary>Only as a task: clients that do not declare the extension get -32021.</summary>
    Required,
}

/// <summary>Marks a tool whose calls become tasks (server-directed task creation).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RunsAsTaskAttribute(TaskSupport support = TaskSupport.Optional) : Attribute
{
    public TaskSupport Support { get; } = support;

    /// <summary>
    /// Input the tool asks for as soon as it starts (within <see cref="TaskOptions.InputWindow"/>) is settled on the
    /// call itself, as a multi round-trip, and the task is created once the tool has what it needs (the spec's
    /// recommendation for tools that need input before their long work). Without it the task is created at once and
    /// any input is asked through the task (input_required, answered with tasks/update).
    /// </summary>
    public bool AsksBeforeTask { get; init; }

    /// <summary>
    /// The work can start again, on another replica, from the task's arguments (and the answers it was given): it
    /// reads and computes but changes nothing outside the task, and does not depend on who called (authorization
    /// happened when the task was created). When the replica running it drains and the work does not finish within the
    /// grace period, it is handed over and restarted elsewhere instead of failing.
    /// </summary>
    public bool Restartable { get; init; }
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace Prynai.McpServer.Tasks;

/// <summary>The statuses of the tasks extension (SEP-2663).</summary>
public static class TaskStatuses
{
    public const string Working = "working";
    public const string InputRequired = "input_required";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    /// <summary>Working or waiting for input: the task still counts against the live-task limits.</summary>
    public static bool IsLive(string status) => status is Working or InputRequired;
}

/// <summary>
/// One task as the store keeps it: what the caller asked (tool and arguments), who asked, where it stands, the
/// outcome, and which replica runs the work. Shared by every replica; the store's version makes updates atomic.
/// </summary>
public sealed record TaskRecord
{
    /// <summary>Unguessable id (144 random bits): the spec lets a task id act as a bearer of its state.</summary>
    public required string Id { get; init; }

    /// <summary>The caller's identity (<see cref="Security.CallerIdentity"/>), or "anonymous": only it may see the task.</summary>
    public required string Requester { get; init; }

    public required string Tool { get; init; }

    public JsonElement? Arguments { get; init; }

    public required string Status { get; init; }

    public string? StatusMessage { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset LastUpdatedAt { get; init; }

    /// <summary>When the work must have ended: a task still live at this time fails (its time-to-live ran out).</summary>
    public required DateTimeOffset Deadline { get; init; }

    /// <summary>When the store may discard the record (deadline or end, plus the result retention).</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    public int PollIntervalMs { get; init; }

    /// <summary>The replica running the work; null while the task waits for input or after it ended elsewhere.</summary>
    public string? Owner { get; init; }

    /// <summary>When <see cref="Owner"/> took the work: a replica's silence only counts after a full lease.</summary>
    public DateTimeOffset? OwnerSince { get; init; }

    /// <summary>The CallToolResult of a completed task.</summary>
    public JsonElement? Result { get; init; }

    /// <summary>The JSON-RPC error of a failed task.</summary>
    public JsonElement? Error { get; init; }

    /// <summary>Outstanding input requests, by the task-level key the client answers.</summary>
    public Dictionary<string, PendingInput>? InputRequests { get; init; }

    /// <summary>Answers gathered for the current round, by the tool's own key, until every request is answered.</summary>
    public Dictionary<string, JsonElement>? InputResponses { get; init; }

    /// <summary>The tool's request state for its next round (kept server-side: the task wire has no requestState).</summary>
    public string? RequestState { get; init; }

    /// <summary>Input rounds so far; part of every task-level input key, so no key is ever reused.</summary>
    public int Round { get; init; }

    /// <summary>The record's format (<see cref="State.RecordFormats.Task"/>); null in records written before formats were numbered.</summary>
    [JsonPropertyName(State.RecordFormats.Property)]
    public int? Format { get; init; }

    /// <summary>The store's concurrency token for this version of the record (not part of the stored document).</summary>
    [JsonIgnore]
    public string? Version { get; init; }

    [JsonIgnore]
    public bool IsLive => TaskStatuses.IsLive(Status);

    /// <summary>Working without an owner: handed over by a draining replica, waiting for another to claim it.</summary>
    [JsonIgnore]
    public bool AwaitsClaim => Status == TaskStatuses.Working && Owner is null;

    public LiveTask ToLive() => new(Id, Requester, Owner, OwnerSince, Deadline) { Status = Status, Format = State.RecordFormats.LiveTask };

    /// <summary>The record as this code writes it: stamped with its current format.</summary>
    public TaskRecord ForStorage() => this with { Format = State.RecordFormats.Task, Version = null };
}

/// <summary>An input request waiting for the client: the tool's key and the request (elicitation, sampling, roots).</summary>
public sealed record PendingInput(string Key, JsonElement Request);

/// <summary>What the reaper needs to know about a live task without reading it whole.</summary>
public sealed record LiveTask(string Id, string Requester, string? Owner, DateTimeOffset? OwnerSince, DateTimeOffset Deadline)
{
    /// <summary>The task's status; null in entries written before format 2 (read them as "working, or waiting for input").</summary>
    public string? Status { get; init; }

    [JsonPropertyName(State.RecordFormats.Property)]
    public int? Format { get; init; }

    /// <summary>Handed over by a draining replica: working, no owner (see <see cref="TaskRecord.AwaitsClaim"/>).</summary>
    [JsonIgnore]
    public bool AwaitsClaim => Status == TaskStatuses.Working && Owner is null;
}

[JsonSerializable(typeof(TaskRecord))]
[JsonSerializable(typeof(LiveTask))]
[JsonSerializable(typeof(List<LiveTask>))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class TaskRecordJson : JsonSerializerContext;

using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Prynai.McpServer.Transport;
using Prynai.McpServer.Transport.Validation;

namespace Prynai.McpServer.Tasks;

/// <summary>The wire of io.modelcontextprotocol/tasks (SEP-2663): names, negotiation, and the shapes a task takes.</summary>
internal static class TaskProtocol
{
    public const string ExtensionId = "io.modelcontextprotocol/tasks";
    public const string Get = "tasks/get";
    public const string Update = "tasks/update";
    public const string Cancel = "tasks/cancel";

    /// <summary>Tasks exist on protocol 2026-07-28 only; the session revisions answer synchronously.</summary>
    public static bool IsTaskRevision(MessageContext request) =>
        ProtocolRevisions.UsesPerRequestMetadata(request.JsonRpcMessage.Context?.ProtocolVersion
            ?? PerRequestMetadataValidator.MetaProtocolVersion(request.JsonRpcMessage)
            ?? request.Server.NegotiatedProtocolVersion);

    /// <summary>The request declares the extension in its per-request client capabilities.</summary>
    public static bool Declares(JsonRpcRequest request) =>
        request.Context?.ClientCapabilities?.Extensions?.ContainsKey(ExtensionId) == true ||
        request.Params?["_meta"]?[MetaKeys.ClientCapabilities]?["extensions"] is JsonObject extensions && extensions.ContainsKey(ExtensionId);

    public static MissingRequiredClientCapabilityException MissingExtension(string what) => new(
        new ClientCapabilities { Extensions = new Dictionary<string, object> { [ExtensionId] = new JsonObject() } },
        $"{what} requires the client capability extensions[\"{ExtensionId}\"] in params._meta[\"{MetaKeys.ClientCapabilities}\"].");

    public static CreateTaskResult Created(TaskRecord task) => new()
    {
        ResultType = "task",
        TaskId = task.Id,
        Status = task.Status,
        StatusMessage = task.StatusMessage,
        CreatedAt = Timestamp(task.CreatedAt),
        LastUpdatedAt = Timestamp(task.LastUpdatedAt),
        TtlMs = TtlMs(task),
        PollIntervalMs = task.PollIntervalMs,
    };

    /// <summary>A DetailedTask: what tasks/get answers (and notifications/tasks would carry).</summary>
    public static JsonObject Detailed(TaskRecord task)
    {
        var detailed = new JsonObject
        {
            ["resultType"] = "complete",
            ["taskId"] = task.Id,
            ["status"] = task.Status,
        };
        if (task.StatusMessage is { } message)
        {
            detailed["statusMessage"] = message;
        }
        detailed["createdAt"] = Timestamp(task.CreatedAt);
        detailed["lastUpdatedAt"] = Timestamp(task.LastUpdatedAt);
        detailed["ttlMs"] = TtlMs(task);
        detailed["pollIntervalMs"] = task.PollIntervalMs;
        switch (task.Status)
        {
            case TaskStatuses.Completed when task.Result is { } result:
                detailed["result"] = JsonNode.Parse(result.GetRawText());
                break;
            case TaskStatuses.Failed when task.Error is { } error:
                detailed["error"] = JsonNode.Parse(error.GetRawText());
                break;
            case TaskStatuses.InputRequired:
                var requests = new JsonObject();
                foreach (var (key, pending) in task.InputRequests ?? [])
                {
                    requests[key] = JsonNode.Parse(pending.Request.GetRawText());
                }
                detailed["inputRequests"] = requests;
                break;
        }
        return detailed;
    }

    /// <summary>The empty acknowledgement of tasks/update and tasks/cancel.</summary>
    public static JsonObject Acknowledgement() => new() { ["resultType"] = "complete" };

    /// <summary>Integer milliseconds from creation until the record may be discarded.</summary>
    private static long TtlMs(TaskRecord task) => Math.Max(1, (long)(task.ExpiresAt - task.CreatedAt).TotalMilliseconds);

    private static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}

/// <summary>CreateTaskResult: a flat <c>Result &amp; Task</c> with <c>resultType: "task"</c>.</summary>
internal sealed class CreateTaskResult : Result
{
    [JsonPropertyName("taskId")]
    public required string TaskId { get; init; }

    [JsonPropertyName("status")]
    public required string Status { get; init; }

    [JsonPropertyName("statusMessage")]
    public string? StatusMessage { get; init; }

    [JsonPropertyName("createdAt")]
    public required string CreatedAt { get; init; }

    [JsonPropertyName("lastUpdatedAt")]
    public required string LastUpdatedAt { get; init; }

    [JsonPropertyName("ttlMs")]
    public required long TtlMs { get; init; }

    [JsonPropertyName("pollIntervalMs")]
    public required int PollIntervalMs { get; init; }
}

[JsonSerializable(typeof(CreateTaskResult))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class TaskProtocolJson : JsonSerializerContext;

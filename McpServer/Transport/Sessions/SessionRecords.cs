using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using Prynai.McpServer.State;

namespace Prynai.McpServer.Transport.Sessions;

/// <summary>
/// What any replica needs to serve a handshake session it did not create, and the lists it was last shown
/// (<see cref="Surface"/>; null in records of format 1, which did not keep them).
/// </summary>
internal sealed record SessionRecord(InitializeRequestParams Initialize, string? OwnerId, IReadOnlyCollection<string> Subscriptions, string? LogLevel = null,
    Revisions.SurfaceFingerprint? Surface = null);

/// <summary>
/// Handshake session records in the shared store (key <c>prynai:session:{id}</c>, expiring after the idle timeout), so
/// a session created on one replica keeps working when its next request lands on another.
/// </summary>
internal sealed partial class SessionRecords(IStateStore store, IOptions<McpTransportOptions> options, ILogger<SessionRecords> logger)
{
    private const string KeyPrefix = "prynai:session:";
    private static readonly JsonTypeInfo<InitializeRequestParams> InitializeTypeInfo =
        (JsonTypeInfo<InitializeRequestParams>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(InitializeRequestParams));

    /// <summary>Saves the record (its expiry restarts); false when the store could not take it.</summary>
    public async Task<bool> SaveAsync(string sessionId, SessionRecord record, CancellationToken cancellationToken)
    {
        var document = new JsonObject
        {
            [RecordFormats.Property] = RecordFormats.Session,
            ["initialize"] = JsonSerializer.SerializeToNode(record.Initialize, InitializeTypeInfo),
            ["owner"] = record.OwnerId,
            ["subscriptions"] = new JsonArray([.. record.Subscriptions.Select(uri => JsonValue.Create(uri))]),
            ["logLevel"] = record.LogLevel,
        };
        if (record.Surface is { } surface)
        {
            document["surface"] = new JsonObject { ["tools"] = surface.Tools, ["prompts"] = surface.Prompts, ["resources"] = surface.Resources };
        }
        try
        {
            await store.SetValueAsync(KeyPrefix + sessionId, document.ToJsonString(), options.Value.SessionIdleTimeout, cancellationToken);
            return true;
        }
        catch (StateStoreUnavailableException ex)
        {
            // The session still works on this replica; only a move to another replica would fail. The outage is logged
            // once by the store's availability log, which says so.
            LogRecordFailed(logger, "save", store.Kind, ex.InnerException?.Message ?? ex.Message);
            return false;
        }
    }

    /// <summary>The record, or null when the session never existed, was deleted or expired.</summary>
    public async Task<SessionRecord?> FindAsync(string sessionId, CancellationToken cancellationToken)
    {
        var json = await store.GetValueAsync(KeyPrefix + sessionId, cancellationToken);
        if (json is null || JsonNode.Parse(json) is not JsonObject document ||
            document["initialize"]?.Deserialize(InitializeTypeInfo) is not { } initialize)
        {
            return null;
        }
        var subscriptions = document["subscriptions"] is JsonArray array
            ? array.Select(node => node?.GetValue<string>()).OfType<string>().ToArray()
            : [];
        return new SessionRecord(initialize, document["owner"]?.GetValue<string>(), subscriptions, document["logLevel"]?.GetValue<string>(), SurfaceOf(document));
    }

    /// <summary>The lists the session was last shown: from format 2 on; unknown (null) before.</summary>
    private static Revisions.SurfaceFingerprint? SurfaceOf(JsonObject document) =>
        RecordFormats.Of(document) >= 2 && document["surface"] is JsonObject surface
            ? new Revisions.SurfaceFingerprint(Text(surface, "tools"), Text(surface, "prompts"), Text(surface, "resources"))
            : null;

    private static string Text(JsonObject node, string name) => node[name] is JsonValue value && value.TryGetValue(out string? text) ? text : "";

    public async Task DeleteAsync(string sessionId, CancellationToken cancellationToken)
    {
        try
        {
            await store.DeleteValueAsync(KeyPrefix + sessionId, cancellationToken);
        }
        catch (StateStoreUnavailableException ex)
        {
            // The record expires after the idle timeout.
            LogRecordFailed(logger, "delete", store.Kind, ex.InnerException?.Message ?? ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Session record {Operation} in the {Store} store failed ({Reason})")]
    private static partial void LogRecordFailed(ILogger logger, string operation, string store, string reason);
}

using System.Net;
using System.Text.Json.Serialization;
using Microsoft.Azure.Cosmos;

namespace Prynai.McpServer.State.Stores;

/// <summary>
/// An event log is one document (<c>prynai:events:{log}</c>) holding its retained events, replaced with optimistic
/// concurrency (ETag) on each append and expiring with its <c>ttl</c>. Ids are this replica's microsecond clock, or
/// one more than the log's last id, so they keep increasing after the document expired and started again.
/// </summary>
internal sealed partial class CosmosStateStore
{
    private const string EventLogPrefix = "prynai:events:";

    public Task<AppendedEvent> AppendEventAsync(string log, string data, EventLogLimits limits, CancellationToken cancellationToken) =>
        GuardAsync(async container =>
        {
            var id = EventLogPrefix + log;
            var key = new PartitionKey(id);
            while (true)
            {
                var (current, etag) = await ReadEventLogAsync(container, id, cancellationToken);
                var now = _time.GetUtcNow();
                var nowMs = now.ToUnixTimeMilliseconds();
                var previous = current?.LastId ?? 0;
                var eventId = Math.Max(previous + 1, (now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10);
                var events = (current?.Events ?? []).Where(e => e.ExpiresAt > nowMs)
                    .Append(new EventLogEntry(eventId, nowMs + (long)limits.TimeToLive.TotalMilliseconds, data))
                    .TakeLast(limits.MaxEvents)
                    .ToList();
                var document = new EventLogDocument(id, events, eventId, Math.Max(1, (int)Math.Ceiling(limits.TimeToLive.TotalSeconds)));
                try
                {
                    if (current is null)
                    {
                        await container.CreateItemAsync(document, key, cancellationToken: cancellationToken);
                    }
                    else
                    {
                        await container.ReplaceItemAsync(document, id, key, new ItemRequestOptions { IfMatchEtag = etag }, cancellationToken);
                    }
                    return new AppendedEvent(eventId, previous);
                }
                catch (CosmosException ex) when (ex.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.PreconditionFailed)
                {
                    // Another replica appended meanwhile: read its version and append to that.
                }
            }
        });

    public Task<IReadOnlyList<LoggedEvent>> ReadEventsAsync(string log, long afterId, CancellationToken cancellationToken) =>
        GuardAsync<IReadOnlyList<LoggedEvent>>(async container =>
        {
            var (current, _) = await ReadEventLogAsync(container, EventLogPrefix + log, cancellationToken);
            var nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
            return (current?.Events ?? []).Where(e => e.Id > afterId && e.ExpiresAt > nowMs).Select(e => new LoggedEvent(e.Id, e.Data)).ToList();
        });

    public Task DeleteEventLogAsync(string log, CancellationToken cancellationToken) =>
        DeleteValueAsync(EventLogPrefix + log, cancellationToken);

    private static async Task<(EventLogDocument? Document, string? ETag)> ReadEventLogAsync(Container container, string id, CancellationToken cancellationToken)
    {
        try
        {
            var response = await container.ReadItemAsync<EventLogDocument>(id, new PartitionKey(id), cancellationToken: cancellationToken);
            return (response.Resource, response.ETag);
        }
        catch (CosmosException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return (null, null);
        }
    }

    internal sealed record EventLogDocument(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("events")] List<EventLogEntry> Events,
        [property: JsonPropertyName("lastId")] long LastId,
        [property: JsonPropertyName("ttl")] int Ttl,
        [property: JsonPropertyName(RecordFormats.Property)] int Format = RecordFormats.CosmosDocument);

    internal sealed record EventLogEntry(
        [property: JsonPropertyName("id")] long Id,
        [property: JsonPropertyName("expiresAt")] long ExpiresAt,
        [property: JsonPropertyName("data")] string Data);
}

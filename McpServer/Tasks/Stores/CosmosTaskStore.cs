using System.Net;
using System.Text.Json.Serialization;
using Microsoft.Azure.Cosmos;
using Prynai.McpServer.State;

namespace Prynai.McpServer.Tasks.Stores;

/// <summary>
/// Tasks in the state store's Cosmos DB container (partition key <c>/id</c>, point operations only): one document per
/// task (<c>prynai:task:{id}</c>, with a TTL) and one index of live tasks (<c>prynai:tasks:live</c>) that limits are
/// counted on and the reaper reads. Every write is a replace with If-Match, retried on a conflict. The index is kept in
/// step after each task write and heals itself when a replica died between the two.
/// </summary>
internal sealed class CosmosTaskStore(Func<CancellationToken, Task<Container>> container, TimeProvider time) : ITaskStore
{
    private const string TaskPrefix = "prynai:task:";
    private const string IndexId = "prynai:tasks:live";

    public string Kind => "cosmos";

    public async Task CreateAsync(TaskRecord task, TaskLimits limits, CancellationToken cancellationToken)
    {
        await ChangeIndexAsync(entries =>
        {
            TaskLimitMessages.ThrowIfExceeded(entries.Count(e => e.Requester == task.Requester), entries.Count, limits);
            entries.Add(task.ToLive());
            return true;
        }, cancellationToken);
        try
        {
            await GuardAsync(async c => await c.CreateItemAsync(Document(task), new PartitionKey(TaskPrefix + task.Id), cancellationToken: cancellationToken), cancellationToken);
        }
        catch
        {
            await ChangeIndexAsync(entries => entries.RemoveAll(e => e.Id == task.Id) > 0, CancellationToken.None);
            throw;
        }
    }

    public async Task<TaskRecord?> GetAsync(string id, CancellationToken cancellationToken) =>
        (await ReadTaskAsync(id, cancellationToken))?.Task;

    public async Task<TaskUpdate?> UpdateAsync(string id, Func<TaskRecord, TaskRecord?> change, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (await ReadTaskAsync(id, cancellationToken) is not { } current)
            {
                await ChangeIndexAsync(entries => entries.RemoveAll(e => e.Id == id) > 0, cancellationToken);
                return null;
            }
            if (change(current.Task) is not { } changed)
            {
                if (!current.Task.IsLive)
                {
                    // The writer that ended this task may have died before updating the index.
                    await ChangeIndexAsync(entries => entries.RemoveAll(e => e.Id == id) > 0, cancellationToken);
                }
                return new TaskUpdate(current.Task, false);
            }
            try
            {
                var replaced = await GuardAsync(c => c.ReplaceItemAsync(Document(changed), TaskPrefix + id, new PartitionKey(TaskPrefix + id),
                    new ItemRequestOptions { IfMatchEtag = current.ETag }, cancellationToken), cancellationToken);
                if (current.Task.ToLive() != changed.ToLive() || current.Task.IsLive != changed.IsLive)
                {
                    await ChangeIndexAsync(entries =>
                    {
                        entries.RemoveAll(e => e.Id == id);
                        if (changed.IsLive)
                        {
                            entries.Add(changed.ToLive());
                        }
                        return true;
                    }, cancellationToken);
                }
                return new TaskUpdate(changed with { Version = replaced.ETag }, true);
            }
            catch (StateStoreUnavailableException ex) when (ex.InnerException is CosmosException { StatusCode: HttpStatusCode.PreconditionFailed })
            {
                // Another replica wrote first: run the change again on its version.
            }
        }
    }

    public async Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        await GuardAsync(async c =>
        {
            try
            {
                await c.DeleteItemAsync<TaskDocument>(TaskPrefix + id, new PartitionKey(TaskPrefix + id), cancellationToken: cancellationToken);
            }
            catch (CosmosException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
            }
            return true;
        }, cancellationToken);
        await ChangeIndexAsync(entries => entries.RemoveAll(e => e.Id == id) > 0, cancellationToken);
    }

    public async Task<IReadOnlyList<LiveTask>> ListLiveAsync(CancellationToken cancellationToken) =>
        (await ReadAsync<IndexDocument>(IndexId, cancellationToken)).Document?.Tasks ?? [];

    private async Task<(TaskRecord Task, string ETag)?> ReadTaskAsync(string id, CancellationToken cancellationToken)
    {
        var (document, etag) = await ReadAsync<TaskDocument>(TaskPrefix + id, cancellationToken);
        return document is null || document.Task.ExpiresAt <= time.GetUtcNow() ? null : (document.Task with { Version = etag }, etag!);
    }

    /// <summary>Reads the index, lets <paramref name="change"/> edit its entries (false: nothing to write), writes it back with If-Match.</summary>
    private async Task ChangeIndexAsync(Func<List<LiveTask>, bool> change, CancellationToken cancellationToken)
    {
        while (true)
        {
            var (index, etag) = await ReadAsync<IndexDocument>(IndexId, cancellationToken);
            var entries = index?.Tasks ?? [];
            if (!change(entries))
            {
                return;
            }
            try
            {
                var document = new IndexDocument(IndexId, entries);
                await GuardAsync(async c => etag is null
                    ? await c.CreateItemAsync(document, new PartitionKey(IndexId), cancellationToken: cancellationToken)
                    : await c.ReplaceItemAsync(document, IndexId, new PartitionKey(IndexId), new ItemRequestOptions { IfMatchEtag = etag }, cancellationToken),
                    cancellationToken);
                return;
            }
            catch (StateStoreUnavailableException ex) when (ex.InnerException is CosmosException { StatusCode: HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict })
            {
                // Another replica changed the index first: apply the change to its version.
            }
        }
    }

    private TaskDocument Document(TaskRecord task) =>
        new(TaskPrefix + task.Id, task.ForStorage(), Math.Max(1, (int)Math.Ceiling((task.ExpiresAt - time.GetUtcNow()).TotalSeconds)));

    private Task<(T? Document, string? ETag)> ReadAsync<T>(string id, CancellationToken cancellationToken) where T : class =>
        GuardAsync<(T?, string?)>(async c =>
        {
            try
            {
                var response = await c.ReadItemAsync<T>(id, new PartitionKey(id), cancellationToken: cancellationToken);
                return (response.Resource, response.ETag);
            }
            catch (CosmosException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                return (null, null);
            }
        }, cancellationToken);

    private async Task<T> GuardAsync<T>(Func<Container, Task<T>> operation, CancellationToken cancellationToken)
    {
        try
        {
            return await operation(await container(cancellationToken));
        }
        catch (Exception ex) when (ex is CosmosException or HttpRequestException or TimeoutException
                                   || ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new StateStoreUnavailableException("cosmos", ex);
        }
    }

    internal sealed record TaskDocument(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("task")] TaskRecord Task,
        [property: JsonPropertyName("ttl")] int Ttl,
        [property: JsonPropertyName(RecordFormats.Property)] int Format = RecordFormats.CosmosDocument);

    internal sealed record IndexDocument(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("tasks")] List<LiveTask> Tasks,
        [property: JsonPropertyName(RecordFormats.Property)] int Format = RecordFormats.CosmosDocument);
}

namespace Prynai.McpServer.State;

/// <summary>
/// The counter every replica shares (key <c>prynai:counter</c>, the original system's key). Every change is
/// announced on the store's change feed so subscribers of <see cref="ResourceUri"/> hear about it.
/// </summary>
public sealed class SharedCounter(IStateStore store)
{
    public const string Key = "prynai:counter";
    public const string ResourceUri = "prynai://counter";

    public Task<long> GetAsync(CancellationToken cancellationToken) => store.GetCounterAsync(Key, cancellationToken);

    public async Task<long> AddAsync(long delta, CancellationToken cancellationToken)
    {
        var value = await store.IncrementCounterAsync(Key, delta, cancellationToken);
        await store.PublishAsync(new StateChange(StateTopics.ResourceUpdated, ResourceUri), CancellationToken.None);
        return value;
    }

    public async Task SetAsync(long value, CancellationToken cancellationToken)
    {
        await store.SetCounterAsync(Key, value, cancellationToken);
        await store.PublishAsync(new StateChange(StateTopics.ResourceUpdated, ResourceUri), CancellationToken.None);
    }
}

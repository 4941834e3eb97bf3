namespace Prynai.McpServer.State;

/// <summary>
/// The counter every replica shares (key <c>prynai:counter</c>, the original system's key). Every change is
/// announced on the store's change feed so subscribers of <see cref="ResourceUri"/> hear about it.
/// </summary>
public sealed partial class SharedCounter(IStateStore store, ILogger<SharedCounter> logger)
{
    public const string Key = "prynai:counter";
    public const string ResourceUri = "prynai://counter";

    public Task<long> GetAsync(CancellationToken cancellationToken) => store.GetCounterAsync(Key, cancellationToken);

    public async Task<long> AddAsync(long delta, CancellationToken cancellationToken)
    {
        var value = await store.IncrementCounterAsync(Key, delta, cancellationToken);
        await AnnounceAsync();
        return value;
    }

    public async Task SetAsync(long value, CancellationToken cancellationToken)
    {
        await store.SetCounterAsync(Key, value, cancellationToken);
        await AnnounceAsync();
    }

    /// <summary>The change is done either way; a lost notification must not turn it into a reported failure.</summary>
    private async Task AnnounceAsync()
    {
        try
        {
            await store.PublishAsync(new StateChange(StateTopics.ResourceUpdated, ResourceUri), CancellationToken.None);
        }
        catch (StateStoreUnavailableException ex)
        {
            LogAnnounceFailed(logger, ex, store.Kind);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The counter changed but the change could not be announced through {Store}")]
    private static partial void LogAnnounceFailed(ILogger logger, Exception exception, string store);
}

using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Prynai.McpServer.Resources;
using Prynai.McpServer.State;

namespace Prynai.McpServer.Revisions;

/// <summary>One revision running on the shared store, as its replicas announce it.</summary>
public sealed record LiveRevision(string Name, string Build, SurfaceFingerprint Surface);

/// <summary>
/// Which revisions run on the shared store and what each serves: every replica announces its revision
/// (<c>prynai:revision:{name}</c>, expiring unless refreshed, listed in <c>prynai:revisions</c>), so a draining replica
/// can tell its stateless listeners whether the revision they reconnect to serves other lists.
/// </summary>
internal sealed partial class RevisionRegistry(
    IStateStore store,
    ServedSurface surface,
    IOptions<RevisionOptions> revision,
    IOptions<ServerInfoOptions> serverInfo,
    TimeProvider time,
    ILogger<RevisionRegistry> logger) : IHostedService
{
    private const string IndexKey = "prynai:revisions";
    private const string KeyPrefix = "prynai:revision:";
    private static readonly TimeSpan RecordLifetime = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(20);

    private readonly CancellationTokenSource _stop = new();
    private Task<IReadOnlyList<string>>? _changedElsewhere;
    private Task _refresh = Task.CompletedTask;

    public string Name => revision.Value.Name!;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // In the background: a store that answers slowly must not delay the replica's start.
        _refresh = Task.Run(() => RefreshLoopAsync(_stop.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>
    /// The list_changed notifications a client of this replica needs when it reconnects to another live revision:
    /// the lists some other revision serves differently. Read once (the first caller's read is shared).
    /// </summary>
    public Task<IReadOnlyList<string>> ListsChangedElsewhereAsync() => LazyInitializer.EnsureInitialized(ref _changedElsewhere, ComputeChangedElsewhereAsync);

    /// <summary>The revisions whose replicas announced themselves within the last minute, this one included.</summary>
    public async Task<IReadOnlyList<LiveRevision>> LiveAsync(CancellationToken cancellationToken)
    {
        var live = new List<LiveRevision>();
        foreach (var name in await NamesAsync(cancellationToken))
        {
            if (await store.GetValueAsync(KeyPrefix + name, cancellationToken) is { } json && Parse(json) is { } found)
            {
                live.Add(found);
            }
        }
        return live;
    }

    private async Task<IReadOnlyList<string>> ComputeChangedElsewhereAsync()
    {
        try
        {
            var mine = surface.Fingerprint;
            return [.. (await LiveAsync(CancellationToken.None))
                .Where(other => other.Name != Name)
                .SelectMany(other => other.Surface.ChangedSince(mine))
                .Distinct(StringComparer.Ordinal)];
        }
        catch (StateStoreUnavailableException ex)
        {
            LogUnavailable(logger, ex.Store);
            return [];
        }
    }

    private async Task RefreshLoopAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(RefreshInterval, time);
        try
        {
            do
            {
                try
                {
                    await AnnounceAsync(stopping);
                }
                catch (StateStoreUnavailableException ex)
                {
                    LogUnavailable(logger, ex.Store);
                }
            }
            while (await timer.WaitForNextTickAsync(stopping));
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private async Task AnnounceAsync(CancellationToken cancellationToken)
    {
        var fingerprint = surface.Fingerprint;
        var record = RecordFormats.Stamp(new JsonObject(), RecordFormats.Revision);
        record["name"] = Name;
        record["build"] = serverInfo.Value.Build ?? ServerDescription.Version;
        record["surface"] = new JsonObject { ["tools"] = fingerprint.Tools, ["prompts"] = fingerprint.Prompts, ["resources"] = fingerprint.Resources };
        record["seenAt"] = time.GetUtcNow().ToString("O");
        await store.SetValueAsync(KeyPrefix + Name, record.ToJsonString(), RecordLifetime, cancellationToken);

        // The index is rewritten by every replica of every revision: a lost update is repaired by the next refresh.
        var names = (await NamesAsync(cancellationToken)).ToList();
        var kept = new List<string>();
        foreach (var name in names.Where(name => name != Name))
        {
            if (await store.GetValueAsync(KeyPrefix + name, cancellationToken) is not null)
            {
                kept.Add(name);
            }
        }
        kept.Add(Name);
        if (!kept.Order(StringComparer.Ordinal).SequenceEqual(names.Order(StringComparer.Ordinal)))
        {
            var index = RecordFormats.Stamp(new JsonObject(), RecordFormats.Revision);
            index["names"] = new JsonArray([.. kept.Select(name => (JsonNode)name)]);
            await store.SetValueAsync(IndexKey, index.ToJsonString(), null, cancellationToken);
        }
    }

    private async Task<IReadOnlyList<string>> NamesAsync(CancellationToken cancellationToken) =>
        await store.GetValueAsync(IndexKey, cancellationToken) is { } json && JsonNode.Parse(json)?["names"] is JsonArray names
            ? [.. names.Select(name => name?.GetValue<string>()).OfType<string>()]
            : [];

    private static LiveRevision? Parse(string json) =>
        JsonNode.Parse(json) is JsonObject record && record["name"]?.GetValue<string>() is { } name && record["surface"] is JsonObject lists
            ? new LiveRevision(name, record["build"]?.GetValue<string>() ?? "",
                new SurfaceFingerprint(lists["tools"]?.GetValue<string>() ?? "", lists["prompts"]?.GetValue<string>() ?? "", lists["resources"]?.GetValue<string>() ?? ""))
            : null;

    [LoggerMessage(Level = LogLevel.Debug, Message = "The {Store} store is unavailable; this revision's announcement waits for it")]
    private static partial void LogUnavailable(ILogger logger, string store);
}

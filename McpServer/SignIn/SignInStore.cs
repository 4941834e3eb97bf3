using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Prynai.McpServer.State;

namespace Prynai.McpServer.SignIn;

/// <summary>
/// Everything sign-in remembers between requests, in the shared state store (SQLite, Redis or Cosmos DB), so any
/// replica continues any step: pending authorizations, consents, registered clients, authorization codes, refresh
/// families. Single use is the store's atomic delete: of two replicas taking the same code, only the one whose delete
/// removed it gets it. Keys hold hashes of user and client names, never secrets; what must stay secret (the upstream
/// tokens) is encrypted before it gets here.
/// </summary>
internal sealed class SignInStore(IStateStore store, TimeProvider time)
{
    public const string Prefix = "prynai:signin:";
    public const int FormatVersion = 1;

    public Task SavePendingAsync(PendingAuthorization pending, TimeSpan lifetime, CancellationToken cancellationToken) =>
        SetAsync($"pending:{pending.Id}", pending, SignInJson.Default.PendingAuthorization, lifetime, cancellationToken);

    public Task<PendingAuthorization?> GetPendingAsync(string id, CancellationToken cancellationToken) =>
        GetAsync($"pending:{id}", SignInJson.Default.PendingAuthorization, cancellationToken);

    /// <summary>Removes the pending request and returns it, to exactly one caller.</summary>
    public Task<PendingAuthorization?> TakePendingAsync(string id, CancellationToken cancellationToken) =>
        TakeAsync($"pending:{id}", SignInJson.Default.PendingAuthorization, cancellationToken);

    /// <summary>Where the upstream issuer's <c>state</c> leads back to: the pending request (single use).</summary>
    public Task SaveUpstreamStateAsync(string state, string pendingId, TimeSpan lifetime, CancellationToken cancellationToken) =>
        store.SetValueAsync(Key($"state:{Hash(state)}"), pendingId, lifetime, cancellationToken);

    public async Task<string?> TakeUpstreamStateAsync(string state, CancellationToken cancellationToken)
    {
        var key = Key($"state:{Hash(state)}");
        var pendingId = await store.GetValueAsync(key, cancellationToken);
        return pendingId is not null && await store.DeleteValueAsync(key, cancellationToken) ? pendingId : null;
    }

    public Task<ConsentRecord?> GetConsentAsync(string user, string clientId, CancellationToken cancellationToken) =>
        GetAsync($"consent:{Hash(user + "\n" + clientId)}", SignInJson.Default.ConsentRecord, cancellationToken);

    public Task SaveConsentAsync(string user, string clientId, IReadOnlyList<string> scopes, TimeSpan lifetime, CancellationToken cancellationToken) =>
        SetAsync($"consent:{Hash(user + "\n" + clientId)}", new ConsentRecord(FormatVersion, scopes, time.GetUtcNow()), SignInJson.Default.ConsentRecord, lifetime, cancellationToken);

    public Task SaveClientAsync(RegisteredClientRecord client, TimeSpan lifetime, CancellationToken cancellationToken) =>
        SetAsync($"client:{Hash(client.ClientId)}", client, SignInJson.Default.RegisteredClientRecord, lifetime, cancellationToken);

    public Task<RegisteredClientRecord?> GetClientAsync(string clientId, CancellationToken cancellationToken) =>
        GetAsync($"client:{Hash(clientId)}", SignInJson.Default.RegisteredClientRecord, cancellationToken);

    public Task SaveCodeAsync(GrantRecord grant, string codeId, TimeSpan lifetime, CancellationToken cancellationToken) =>
        SetAsync($"code:{codeId}", grant, SignInJson.Default.GrantRecord, lifetime, cancellationToken);

    /// <summary>Redeems a code: its grant to exactly one caller; null when unknown, expired or already redeemed.</summary>
    public Task<GrantRecord?> TakeCodeAsync(string codeId, CancellationToken cancellationToken) =>
        TakeAsync($"code:{codeId}", SignInJson.Default.GrantRecord, cancellationToken);

    /// <summary>Remembers that a code was redeemed and which family it started, so a second attempt can revoke it.</summary>
    public Task MarkCodeRedeemedAsync(string codeId, string familyId, TimeSpan lifetime, CancellationToken cancellationToken) =>
        store.SetValueAsync(Key($"code-redeemed:{codeId}"), familyId, lifetime, cancellationToken);

    public Task<string?> RedeemedCodeFamilyAsync(string codeId, CancellationToken cancellationToken) =>
        store.GetValueAsync(Key($"code-redeemed:{codeId}"), cancellationToken);

    public Task SaveFamilyAsync(GrantRecord family, TimeSpan lifetime, CancellationToken cancellationToken) =>
        SetAsync($"family:{family.Id}", family, SignInJson.Default.GrantRecord, lifetime, cancellationToken);

    public Task<GrantRecord?> GetFamilyAsync(string familyId, CancellationToken cancellationToken) =>
        GetAsync($"family:{familyId}", SignInJson.Default.GrantRecord, cancellationToken);

    /// <summary>Ends a family: its refresh tokens stop working, and so (through <see cref="GrantRevocations"/>) its access tokens.</summary>
    public async Task<bool> DeleteFamilyAsync(string familyId, CancellationToken cancellationToken)
    {
        var deleted = await store.DeleteValueAsync(Key($"family:{familyId}"), cancellationToken);
        await store.SetValueAsync(Key($"revoked:{familyId}"), "1", TimeSpan.FromDays(1), cancellationToken);
        return deleted;
    }

    public async Task<bool> IsFamilyRevokedAsync(string familyId, CancellationToken cancellationToken) =>
        await store.GetValueAsync(Key($"revoked:{familyId}"), cancellationToken) is not null;

    /// <summary>A refresh token is live while its id maps to its family; using it removes the mapping (single use).</summary>
    public Task SaveRefreshAsync(string refreshId, string familyId, TimeSpan lifetime, CancellationToken cancellationToken) =>
        store.SetValueAsync(Key($"refresh:{refreshId}"), familyId, lifetime, cancellationToken);

    public async Task<bool> TakeRefreshAsync(string refreshId, CancellationToken cancellationToken)
    {
        var key = Key($"refresh:{refreshId}");
        return await store.GetValueAsync(key, cancellationToken) is not null && await store.DeleteValueAsync(key, cancellationToken);
    }

    /// <summary>
    /// Counts one registration against the per-address and total limits of the window (bounded, expiring event logs
    /// in the store, shared by every replica); false when either is already used up.
    /// </summary>
    public async Task<bool> TryCountRegistrationAsync(string address, DynamicRegistrationOptions limits, CancellationToken cancellationToken)
    {
        foreach (var (log, limit) in new[] { ($"dcr:address:{Hash(address)}", limits.PerAddress), ("dcr:all", limits.Total) })
        {
            var window = new EventLogLimits(limit + 1, limits.Window);
            await store.AppendEventAsync(Key(log), "1", window, cancellationToken);
            if ((await store.ReadEventsAsync(Key(log), 0, cancellationToken)).Count > limit)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>A short, stable, non-reversible name for a value in a key (URL client ids can be long; user names are personal).</summary>
    public static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..32];

    private static string Key(string name) => Prefix + name;

    private Task SetAsync<T>(string name, T value, JsonTypeInfo<T> type, TimeSpan lifetime, CancellationToken cancellationToken) =>
        store.SetValueAsync(Key(name), JsonSerializer.Serialize(value, type), lifetime, cancellationToken);

    private async Task<T?> GetAsync<T>(string name, JsonTypeInfo<T> type, CancellationToken cancellationToken) where T : class =>
        await store.GetValueAsync(Key(name), cancellationToken) is { } json ? Read(json, type) : null;

    private async Task<T?> TakeAsync<T>(string name, JsonTypeInfo<T> type, CancellationToken cancellationToken) where T : class
    {
        var json = await store.GetValueAsync(Key(name), cancellationToken);
        return json is not null && await store.DeleteValueAsync(Key(name), cancellationToken) ? Read(json, type) : null;
    }

    /// <summary>A record of a format this version does not know reads as absent (the flow starts over) rather than failing.</summary>
    private static T? Read<T>(string json, JsonTypeInfo<T> type) where T : class
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.TryGetProperty("v", out var version) && version.TryGetInt32(out var v) && v == FormatVersion
            ? document.RootElement.Deserialize(type)
            : null;
    }
}

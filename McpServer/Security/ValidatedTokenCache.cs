using System.Collections.Concurrent;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Prynai.McpServer.Security;

/// <summary>
/// A JsonWebTokenHandler that remembers tokens it has validated. Agents send the same access token with every call
/// for as long as it lives (an hour for Entra), and checking its RSA signature and claims again each time was most of
/// what authentication cost per call. An entry is used only until the token expires, and only while the issuer
/// configuration (its signing keys) it was validated against is still the current one: a key rotation or a refetch
/// after an unknown key id starts over. Failures are never remembered. Each hit gets its own copy of the identity.
/// </summary>
internal sealed class ValidatedTokenCache : JsonWebTokenHandler
{
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public ValidatedTokenCache(TimeProvider time)
    {
        _time = time;
        MapInboundClaims = false;
    }

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var keys = await CurrentKeysAsync(validationParameters);
        if (_entries.TryGetValue(token, out var entry))
        {
            if (entry.Expires > now && ReferenceEquals(entry.Keys, keys))
            {
                return entry.Copy();
            }
            _entries.TryRemove(token, out _);
        }

        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && result.SecurityToken is { } securityToken && securityToken.ValidTo > now && result.ClaimsIdentity is not null)
        {
            if (_entries.Count >= MaxEntries)
            {
                Prune(now);
            }
            // The result keeps a copy no caller holds, so nothing a request does to its identity reaches another.
            _entries[token] = new Entry(keys, securityToken.ValidTo, result.ClaimsIdentity.Clone(), result);
        }
        return result;
    }

    /// <summary>What the signing keys come from: the issuer's current configuration, or the configured keys.</summary>
    private static async Task<object?> CurrentKeysAsync(TokenValidationParameters parameters) =>
        parameters.ConfigurationManager is { } manager
            ? await manager.GetBaseConfigurationAsync(CancellationToken.None)
            : (object?)parameters.IssuerSigningKeys ?? parameters.IssuerSigningKey;

    private void Prune(DateTime now)
    {
        foreach (var (token, entry) in _entries)
        {
            if (entry.Expires <= now)
            {
                _entries.TryRemove(token, out _);
            }
        }
        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }
    }

    private sealed record Entry(object? Keys, DateTime Expires, System.Security.Claims.ClaimsIdentity Identity, TokenValidationResult Original)
    {
        public TokenValidationResult Copy() => new()
        {
            IsValid = true,
            ClaimsIdentity = Identity.Clone(),
            SecurityToken = Original.SecurityToken,
            TokenType = Original.TokenType,
            Issuer = Original.Issuer,
            TokenContext = Original.TokenContext,
        };
    }
}

using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Prynai.McpServer.Security.RequestChecks;
using Prynai.McpServer.SignIn;
using Prynai.McpServer.SignIn.Tokens;

namespace Prynai.McpServer.Security.Authentication;

/// <summary>
/// Who a bearer token proved to be, kept per exact token string after the scheme that validated it (Identity.Web's,
/// sign-in's) said yes: agents send the same token with every call for as long as it lives, and the validation pipeline
/// per call was most of what authentication cost. An entry is handed out only while the token is unexpired (its
/// <c>exp</c>, without clock skew), while its scheme's signing keys are the ones it was validated against (a refreshed
/// issuer configuration starts over), while the request would route the token to the same scheme (for sign-in: the
/// same public base URL, so the same issuer and audience), and — for sign-in tokens — while their grant is not revoked.
/// Refusals are never kept; user-jwts tokens (Development) are not kept. The principal is read-only and shared.
/// </summary>
internal sealed class BearerTicketCache(BearerSchemes schemes, IOptionsMonitor<JwtBearerOptions> bearers, IOptions<AuthOptions> auth,
    TimeProvider time, IServiceProvider services)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly int _capacity = auth.Value.TokenCacheSize;
    private GrantRevocations? _revocations;

    public int Count => _entries.Count;

    /// <summary>The entry kept for <paramref name="token"/> (looked up without copying the header), if any.</summary>
    public Entry? Find(ReadOnlySpan<char> token) =>
        _entries.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(token, out var entry) ? entry : null;

    /// <summary>Whether <paramref name="entry"/> still answers for its token on this request; a stale one is dropped.</summary>
    public async ValueTask<bool> HoldsAsync(Entry entry, HttpRequest request)
    {
        if (entry.Expires <= time.GetUtcNow() || !ReferenceEquals(entry.Keys, await CurrentKeysAsync(entry.Scheme)))
        {
            _entries.TryRemove(new KeyValuePair<string, Entry>(entry.Token, entry));
            return false;
        }
        if (schemes.For(entry.Issuer, request) != entry.Scheme)
        {
            return false;
        }
        if (entry.Family is { } family && await Revocations.IsRevokedAsync(family, request.HttpContext.RequestAborted))
        {
            _entries.TryRemove(new KeyValuePair<string, Entry>(entry.Token, entry));
            return false;
        }
        return true;
    }

    /// <summary>What the signing keys of <paramref name="scheme"/> are right now; captured before a validation.</summary>
    public async ValueTask<object?> CurrentKeysAsync(string scheme)
    {
        var options = bearers.Get(scheme);
        return options.ConfigurationManager is { } manager
            ? await manager.GetConfigurationAsync(CancellationToken.None)
            : options.Configuration;
    }

    /// <summary>
    /// Keeps what <paramref name="scheme"/> validated, checked against <paramref name="keys"/> (read before the
    /// validation, so a refresh during it makes the entry stale rather than trusted), and returns the read-only
    /// principal every request with this token will get.
    /// </summary>
    public ClaimsPrincipal Remember(string token, string scheme, string? issuer, object? keys, ClaimsPrincipal validated)
    {
        if (_capacity <= 0 || scheme == DevelopmentTokens.Scheme || keys is null ||
            validated.Identity is not CaseSensitiveClaimsIdentity identity || validated.Identities.Count() != 1 ||
            identity.FindFirst("exp")?.Value is not { } exp || !long.TryParse(exp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return validated;
        }
        var expires = DateTimeOffset.FromUnixTimeSeconds(Math.Min(seconds, DateTimeOffset.MaxValue.ToUnixTimeSeconds()));
        var now = time.GetUtcNow();
        if (expires <= now)
        {
            return validated;
        }
        var family = scheme == SignInBearer.Scheme ? identity.FindFirst(SignInPrincipal.FamilyClaim)?.Value : null;
        if (scheme == SignInBearer.Scheme && family is null)
        {
            return validated;
        }
        var principal = new ReadOnlyClaimsPrincipal(new ReadOnlyClaimsIdentity(identity));
        if (_entries.Count >= _capacity)
        {
            Prune(now);
        }
        _entries[token] = new Entry(token, scheme, issuer, keys, expires, family, principal);
        return principal;
    }

    private GrantRevocations Revocations => _revocations ??= services.GetRequiredService<GrantRevocations>();

    private void Prune(DateTimeOffset now)
    {
        foreach (var (token, entry) in _entries)
        {
            if (entry.Expires <= now)
            {
                _entries.TryRemove(new KeyValuePair<string, Entry>(token, entry));
            }
        }
        if (_entries.Count >= _capacity)
        {
            _entries.Clear();
        }
    }

    /// <summary>A validated token: the scheme that accepted it, its unverified issuer (to route it), and what it proved.</summary>
    internal sealed record Entry(string Token, string Scheme, string? Issuer, object Keys, DateTimeOffset Expires, string? Family, ClaimsPrincipal Principal);
}

/// <summary>The cached caller, shared by every request with the same token: adding or removing claims throws.</summary>
internal sealed class ReadOnlyClaimsIdentity(CaseSensitiveClaimsIdentity validated) : CaseSensitiveClaimsIdentity(validated)
{
    public override void AddClaim(Claim claim) => throw Shared();

    public override void AddClaims(IEnumerable<Claim?> claims) => throw Shared();

    public override void RemoveClaim(Claim? claim) => throw Shared();

    public override bool TryRemoveClaim(Claim? claim) => throw Shared();

    public override ClaimsIdentity Clone() => new CaseSensitiveClaimsIdentity(this);

    internal static InvalidOperationException Shared() =>
        new("This identity belongs to a cached bearer token and is shared by its requests; copy it (Clone) to change it.");
}

/// <summary>
/// The principal around a <see cref="ReadOnlyClaimsIdentity"/>: adding identities throws. What requests derive from
/// its claims (the caller's stable name, its rate-limit partition) is worked out once, as the claims never change.
/// </summary>
internal sealed class ReadOnlyClaimsPrincipal(ReadOnlyClaimsIdentity identity) : ClaimsPrincipal(identity)
{
    private string? _callerId;
    private string? _rateLimitKey;

    /// <summary><see cref="CallerIdentity.Of"/> for this (always authenticated) caller.</summary>
    public string? CallerId => _callerId ??= CallerIdentity.Compute(this);

    /// <summary>The rate limiter's partition for this caller; null when its token names no app or subject.</summary>
    public string? RateLimitKey => (_rateLimitKey ??= CallerLimits.CallerKey((ClaimsPrincipal)this) ?? "") is { Length: > 0 } key ? key : null;

    public override void AddIdentity(ClaimsIdentity identity) => throw ReadOnlyClaimsIdentity.Shared();

    public override void AddIdentities(IEnumerable<ClaimsIdentity> identities) => throw ReadOnlyClaimsIdentity.Shared();

    public override ClaimsPrincipal Clone() => new(Identities.Select(identity => identity.Clone()));
}

using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Prynai.McpServer.State;

namespace Prynai.McpServer.SignIn.Tokens;

/// <summary>
/// Which sign-in families are revoked (a reused code or refresh token, a user the upstream issuer refused), checked for
/// every access token Prynai issued. A revocation is written to the store and announced on its change feed; each
/// replica keeps what it learned in memory, and asks the store once for a family it has not seen yet, so the check
/// costs a dictionary lookup per request and a revoked family's access tokens stop working on every replica.
/// </summary>
internal sealed class GrantRevocations : IHostedService, IDisposable
{
    public const string Topic = "signin-family-revoked";
    private const int MaxEntries = 100_000;

    private readonly IStateStore _store;
    private readonly SignInStore _signIn;
    private readonly TimeProvider _time;
    private readonly TimeSpan _remember;
    private readonly ConcurrentDictionary<string, (bool Revoked, DateTimeOffset Until)> _known = new(StringComparer.Ordinal);
    private IDisposable? _subscription;

    public GrantRevocations(IStateStore store, SignInStore signIn, TimeProvider time, IOptions<SignInOptions> options)
    {
        _store = store;
        _signIn = signIn;
        _time = time;
        _remember = options.Value.AccessTokenLifetime;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = _store.Subscribe(change =>
        {
            if (change.Topic == Topic)
            {
                Remember(change.Subject, revoked: true);
            }
            return Task.CompletedTask;
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask<bool> IsRevokedAsync(string family, CancellationToken cancellationToken)
    {
        if (_known.TryGetValue(family, out var known) && known.Until > _time.GetUtcNow())
        {
            return known.Revoked;
        }
        var revoked = await _signIn.IsFamilyRevokedAsync(family, cancellationToken);
        Remember(family, revoked);
        return revoked;
    }

    /// <summary>Ends a family everywhere: its record (so no refresh), and its access tokens on every replica.</summary>
    public async Task RevokeAsync(string family, CancellationToken cancellationToken)
    {
        Remember(family, revoked: true);
        await _signIn.DeleteFamilyAsync(family, cancellationToken);
        await _store.PublishAsync(new StateChange(Topic, family), cancellationToken);
    }

    private void Remember(string family, bool revoked)
    {
        if (_known.Count >= MaxEntries)
        {
            _known.Clear();
        }
        _known[family] = (revoked, _time.GetUtcNow() + _remember);
    }

    public void Dispose() => _subscription?.Dispose();
}

using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Prynai.McpServer.Security.Authentication;

/// <summary>
/// The default scheme (<see cref="BearerSchemes.Selector"/>): sends each bearer token to the scheme that can validate
/// it (the issuer's, Identity.Web on JwtBearer; sign-in's; user-jwts'), and answers from <see cref="BearerTicketCache"/>
/// when that scheme has already accepted the very same token — so JwtBearer's pipeline runs once per token, not once
/// per call. Challenges and refusals go to the chosen scheme, whose events write the 401/403.
/// </summary>
internal sealed class McpBearerHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    BearerSchemes schemes, BearerTicketCache cache) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private static readonly JsonWebTokenHandler TokenReader = new();

    /// <summary>The scheme this request's token went to; the one that challenges or forbids.</summary>
    private string? _target;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var known = Lookup(out var token);
        if (known is not null)
        {
            if (await cache.HoldsAsync(known, Request))
            {
                _target = known.Scheme;
                return AuthenticateResult.Success(new AuthenticationTicket(known.Principal, known.Scheme));
            }
            token = known.Token;
        }
        if (token is null)
        {
            return AuthenticateResult.NoResult();
        }

        var issuer = schemes.ChoosesByIssuer ? IssuerOf(token) : null;
        var scheme = _target = schemes.For(issuer, Request);
        var keys = await cache.CurrentKeysAsync(scheme);
        var result = await Context.AuthenticateAsync(scheme);
        if (!result.Succeeded)
        {
            return result;
        }
        var principal = cache.Remember(token, scheme, issuer, keys, result.Principal);
        return AuthenticateResult.Success(new AuthenticationTicket(principal, result.Properties, scheme));
    }

    /// <summary>The cache entry for this request's bearer token, or null and the token (null without one).</summary>
    private BearerTicketCache.Entry? Lookup(out string? token)
    {
        var header = BearerToken(Request);
        var known = header.IsEmpty ? null : cache.Find(header);
        token = known is null && !header.IsEmpty ? header.ToString() : null;
        return known;
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) => Context.ChallengeAsync(Target(), properties);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => Context.ForbidAsync(Target(), properties);

    private string Target() => _target ??= schemes.ChoosesByIssuer && BearerToken(Request) is { IsEmpty: false } token ? schemes.For(IssuerOf(token.ToString()), Request) : schemes.For(null);

    /// <summary>The token of an <c>Authorization: Bearer</c> header, as JwtBearer reads it; empty without one.</summary>
    private static ReadOnlySpan<char> BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization;
        var value = header.Count == 1 ? header[0] : header.ToString();
        return value is not null && value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? value.AsSpan("Bearer ".Length).Trim() : [];
    }

    /// <summary>The unverified <c>iss</c> of a token, only to pick which scheme then validates it (on a cache miss).</summary>
    private static string? IssuerOf(string token) => TokenReader.CanReadToken(token) ? TokenReader.ReadJsonWebToken(token).Issuer : null;
}

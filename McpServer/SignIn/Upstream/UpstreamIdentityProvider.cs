using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;
using Microsoft.Identity.Web;
using Microsoft.IdentityModel.JsonWebTokens;
using Prynai.McpServer.Security;

namespace Prynai.McpServer.SignIn.Upstream;

/// <summary>
/// The upstream leg of sign-in: the user signs in at Entra (or the configured OpenID issuer) to Prynai's own app, a
/// confidential client on MSAL — a client secret locally and in tests, a signed assertion from the managed identity
/// (Microsoft.Identity.Web's <see cref="ManagedIdentityClientAssertion"/>, a federated credential) in Azure. MSAL keeps
/// the upstream refresh token in its token cache; each family's cache travels, encrypted, in its store record, so any
/// replica can renew it.
/// </summary>
internal sealed class UpstreamIdentityProvider(
    IOptions<AuthOptions> auth, IOptions<SignInOptions> options, IHttpClientFactory httpClients, SignInDataProtector protector, ILoggerFactory loggers)
{
    public const string HttpClientName = "prynai-signin-upstream";

    private static readonly string[] MicrosoftHosts = ["login.microsoftonline.com", "login.microsoftonline.us", "login.partner.microsoftonline.cn", "login.chinacloudapi.cn"];
    private readonly ConcurrentDictionary<string, IConfidentialClientApplication> _applications = new(StringComparer.Ordinal);
    private const string Purpose = "upstream-tokens";
    private readonly AsyncLocal<CacheSlot?> _slot = new();

    /// <summary>Where to send the browser, and the PKCE verifier to keep for the code redemption.</summary>
    public async Task<(Uri Url, string CodeVerifier)> BeginAsync(string redirectUri, string state, IReadOnlyList<string> scopes, CancellationToken cancellationToken)
    {
        var url = await Application(redirectUri).GetAuthorizationRequestUrl(scopes)
            .WithPkce(out var verifier)
            .WithExtraQueryParameters(new Dictionary<string, (string, bool)> { ["state"] = (state, false) })
            .ExecuteAsync(cancellationToken);
        return (url, verifier);
    }

    public async Task<UpstreamGrant> RedeemAsync(string redirectUri, string code, string codeVerifier, IReadOnlyList<string> scopes, CancellationToken cancellationToken)
    {
        var slot = new CacheSlot(null);
        _slot.Value = slot;
        try
        {
            var result = await Application(redirectUri).AcquireTokenByAuthorizationCode(scopes, code).WithPkceCodeVerifier(codeVerifier).ExecuteAsync(cancellationToken);
            return new UpstreamGrant(UserOf(result), Protect(new UpstreamTokens(result.Account.HomeAccountId.Identifier, redirectUri, slot.Blob)));
        }
        catch (MsalException ex)
        {
            throw new UpstreamRefusedException(ex.ErrorCode, ex);
        }
        finally
        {
            _slot.Value = null;
        }
    }

    /// <summary>
    /// Renews the upstream tokens (MSAL's refresh, forced): the user is asked again whether they may still sign in and
    /// what roles they hold now. Throws <see cref="UpstreamRefusedException"/> when the issuer says no.
    /// </summary>
    public async Task<UpstreamGrant> RenewAsync(string protectedTokens, IReadOnlyList<string> scopes, CancellationToken cancellationToken)
    {
        var tokens = Unprotect(protectedTokens) ?? throw new UpstreamRefusedException("unreadable_upstream_tokens");
        var slot = new CacheSlot(tokens.Cache);
        _slot.Value = slot;
        try
        {
            var application = Application(tokens.RedirectUri);
            var account = await application.GetAccountAsync(tokens.AccountId) ?? throw new UpstreamRefusedException("no_upstream_account");
            var result = await application.AcquireTokenSilent(scopes, account).WithForceRefresh(true).ExecuteAsync(cancellationToken);
            return new UpstreamGrant(UserOf(result), Protect(tokens with { Cache = slot.Blob ?? tokens.Cache }));
        }
        catch (MsalException ex)
        {
            throw new UpstreamRefusedException(ex.ErrorCode, ex);
        }
        finally
        {
            _slot.Value = null;
        }
    }

    private string Protect(UpstreamTokens tokens) =>
        protector.Protect(Purpose, JsonSerializer.SerializeToUtf8Bytes(tokens, UpstreamJson.Default.UpstreamTokens));

    private UpstreamTokens? Unprotect(string value) =>
        protector.Unprotect(Purpose, value) is { } plain ? JsonSerializer.Deserialize(plain, UpstreamJson.Default.UpstreamTokens) : null;

    /// <summary>Who signed in (ID token, else access token) and what the access token for this API grants them.</summary>
    private static SignedInUser UserOf(AuthenticationResult result)
    {
        var identity = result.ClaimsPrincipal;
        JsonWebToken? access = null;
        try
        {
            // Received directly from the token endpoint over TLS by a confidential client (OIDC Core 3.1.3.7).
            access = new JsonWebToken(result.AccessToken);
        }
        catch (ArgumentException)
        {
        }
        string? Claim(string type) => identity?.FindFirst(type)?.Value ?? (access is not null && access.TryGetPayloadValue<string>(type, out var value) ? value : null);
        var roles = access is not null && access.TryGetPayloadValue<string[]>("roles", out var r) ? r : [];
        var scopes = access is not null && access.TryGetPayloadValue<string>("scp", out var s) ? s.Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];
        var objectId = Claim("oid") ?? Claim("sub") ?? result.UniqueId ?? throw new UpstreamRefusedException("no_user_id");
        return new SignedInUser(objectId, Claim("tid") ?? result.TenantId, Claim("name"), Claim("preferred_username") ?? result.Account?.Username, roles, scopes);
    }

    private IConfidentialClientApplication Application(string redirectUri) => _applications.GetOrAdd(redirectUri, uri =>
    {
        var settings = options.Value;
        var authSettings = auth.Value;
        var builder = ConfidentialClientApplicationBuilder.Create(settings.ClientId).WithRedirectUri(uri).WithHttpClientFactory(new MsalHttpClients(httpClients));
        if (authSettings.IsEntra)
        {
            var instance = new Uri(authSettings.Instance);
            builder.WithAuthority($"{authSettings.Instance.TrimEnd('/')}/{authSettings.TenantId}/", validateAuthority: MicrosoftHosts.Contains(instance.Host));
            if (!MicrosoftHosts.Contains(instance.Host))
            {
                builder.WithInstanceDiscovery(false);
            }
        }
        else
        {
            builder.WithOidcAuthority(authSettings.EffectiveAuthority);
        }
        if (settings.ClientSecret is { Length: > 0 } secret)
        {
            builder.WithClientSecret(secret);
        }
        else
        {
            var assertion = new ManagedIdentityClientAssertion(settings.ManagedIdentityClientId, null, loggers.CreateLogger<ManagedIdentityClientAssertion>());
            builder.WithClientAssertion((AssertionRequestOptions request) => assertion.GetSignedAssertionAsync(request));
        }
        var application = builder.Build();
        application.UserTokenCache.SetBeforeAccess(args =>
        {
            // Only the family at hand is in the cache during a call, never what an earlier call left there.
            args.TokenCache.DeserializeMsalV3(_slot.Value?.Blob ?? [], shouldClearExistingCache: true);
        });
        application.UserTokenCache.SetAfterAccess(args =>
        {
            if (args.HasStateChanged && _slot.Value is { } slot)
            {
                slot.Blob = args.TokenCache.SerializeMsalV3();
            }
        });
        return application;
    });

    /// <summary>The token cache of the one family an operation works on (MSAL's cache callbacks run inside the call).</summary>
    private sealed class CacheSlot(byte[]? blob)
    {
        public byte[]? Blob { get; set; } = blob;
    }

    /// <summary>MSAL's requests go through a named HttpClient, so a loopback stand-in's certificate can be trusted in tests.</summary>
    private sealed class MsalHttpClients(IHttpClientFactory factory) : IMsalHttpClientFactory
    {
        public HttpClient GetHttpClient() => factory.CreateClient(HttpClientName);
    }
}

/// <summary>The user the upstream issuer signed in, and its tokens for later renewal (encrypted).</summary>
internal sealed record UpstreamGrant(SignedInUser User, string ProtectedTokens);

/// <summary>What is kept of the upstream sign-in: the MSAL account, the redirect URI its app uses, its token cache.</summary>
internal sealed record UpstreamTokens(
    [property: JsonPropertyName("account")] string AccountId,
    [property: JsonPropertyName("redirect")] string RedirectUri,
    [property: JsonPropertyName("cache")] byte[]? Cache);

[JsonSerializable(typeof(UpstreamTokens))]
internal sealed partial class UpstreamJson : JsonSerializerContext;

/// <summary>The upstream issuer refused (a disabled user, revoked consent, a bad code) or could not be reached.</summary>
internal sealed class UpstreamRefusedException(string reason, Exception? inner = null) : Exception($"The identity provider refused: {reason}.", inner)
{
    public string Reason { get; } = reason;
}

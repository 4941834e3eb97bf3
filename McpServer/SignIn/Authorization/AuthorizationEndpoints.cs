using Microsoft.AspNetCore;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using Prynai.McpServer.SignIn.Clients;
using Prynai.McpServer.SignIn.Upstream;

namespace Prynai.McpServer.SignIn.Authorization;

/// <summary>
/// Authorize → consent → upstream sign-in → back. OpenIddict validates each authorization request (with
/// <see cref="SignInRequestValidation"/>); these endpoints only decide who and whether: they keep the request pending in
/// the store, show the consent page, send the browser to the upstream issuer, and, once the user signed in and
/// approved, send it back through <c>/authorize</c> with the pending request's id, where OpenIddict issues the code
/// for the original request (single use, bound to client, redirect URI, PKCE challenge and resource).
/// </summary>
internal static partial class AuthorizationEndpoints
{
    /// <summary>The parameter that brings a completed pending request back to /authorize.</summary>
    public const string PendingParameter = "prynai_request";

    public static void MapSignInAuthorization(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods(SignInUrls.Authorize, [HttpMethods.Get, HttpMethods.Post], AuthorizeAsync).AllowAnonymous().DisableAntiforgery();
        endpoints.MapPost(SignInUrls.Consent, DecideAsync).AllowAnonymous().DisableAntiforgery();
        endpoints.MapMethods(SignInUrls.Callback, [HttpMethods.Get, HttpMethods.Post], CallbackAsync).AllowAnonymous().DisableAntiforgery();
    }

    private static async Task<IResult> AuthorizeAsync(HttpContext context, SignInStore store, SignInBrowser browser, UpstreamIdentityProvider upstream,
        IOptions<SignInOptions> options, ILogger<SignInStore> logger)
    {
        var request = context.GetOpenIddictServerRequest();
        var client = context.Items[SignInRequestValidation.VerifiedClient] as SignInClient;
        if (context.GetOpenIddictServerResponse() is { Error: { Length: > 0 } error } response || request is null || client is null)
        {
            // A request OpenIddict refused: back to the client when its redirect URI checked out (RFC 6749 §4.1.2.1), else a page.
            var (code, description) = context.GetOpenIddictServerResponse() is { } refused ? (refused.Error ?? "invalid_request", refused.ErrorDescription) : ("invalid_request", null);
            LogRefused(logger, code);
            return client is not null && request?.RedirectUri is { Length: > 0 } redirect
                ? SignInBrowser.ClientError(context, redirect, request.State, code, description)
                : SignInPages.Error("This sign-in request cannot be served", $"{code}: {description ?? "the request is not a valid authorization request."}");
        }
        var settings = options.Value;
        if (request[PendingParameter]?.ToString() is { Length: > 0 } pendingId)
        {
            return await CompleteAsync(context, request, client, pendingId, store, settings);
        }

        var scopes = request.GetScopes().Where(s => s is not (OpenIddictConstants.Scopes.OfflineAccess or OpenIddictConstants.Scopes.OpenId)).ToList();
        if (scopes.Count == 0)
        {
            scopes = [.. settings.Scopes];
        }
        var csrf = SignInBrowser.NewSecret();
        var pending = new PendingAuthorization(SignInStore.FormatVersion, SignInBrowser.NewSecret(), client.ClientId, request.RedirectUri!, scopes,
            SignInUrls.Resource(context.Request), Parameters(request), SignInBrowser.Hash(csrf), SignInBrowser.Hash(SignInBrowser.Binding(context)));

        if (browser.RememberedUserKey(context) is { } remembered &&
            await store.GetConsentAsync(remembered, client.ClientId, context.RequestAborted) is { } consent && scopes.All(consent.Scopes.Contains))
        {
            return await GoUpstreamAsync(context, pending with { RememberedUser = remembered }, store, upstream, settings);
        }
        await store.SavePendingAsync(pending, settings.PendingLifetime, context.RequestAborted);
        return SignInPages.Consent(View(context, pending, client, csrf, userName: null));
    }

    /// <summary>The consent form's answer: deny goes back to the client; approve goes on to the upstream sign-in (or back to /authorize).</summary>
    private static async Task<IResult> DecideAsync(HttpContext context, SignInStore store, UpstreamIdentityProvider upstream, IOptions<SignInOptions> options)
    {
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(context.RequestAborted) : null;
        var pending = form?["request"].ToString() is { Length: > 0 } id ? await store.GetPendingAsync(id, context.RequestAborted) : null;
        if (pending is null)
        {
            return SignInPages.Error("This sign-in has expired", "The sign-in request is unknown, expired or already decided.");
        }
        if (!SignInBrowser.IsBound(context, pending) || !SignInBrowser.HashMatches(form!["csrf"].ToString(), pending.CsrfTokenHash))
        {
            return SignInPages.Error("This approval was not accepted", "The approval did not come from the consent page of this sign-in (its form token is missing or belongs to another request).", StatusCodes.Status403Forbidden);
        }
        if (form["decision"] != "approve")
        {
            await store.TakePendingAsync(pending.Id, context.RequestAborted);
            return SignInBrowser.ClientError(context, pending.RedirectUri, pending.Parameters.GetValueOrDefault("state"), "access_denied", "The user denied the request.");
        }
        pending = pending with { ApprovedOnPage = true, CsrfTokenHash = "" };
        if (pending.User is { } user)
        {
            await store.SaveConsentIfRememberedAsync(user, pending, options.Value, context.RequestAborted);
            await store.SavePendingAsync(pending, options.Value.PendingLifetime, context.RequestAborted);
            return Results.Redirect(ReentryUrl(context, pending));
        }
        return await GoUpstreamAsync(context, pending, store, upstream, options.Value);
    }

    /// <summary>The upstream issuer sends the browser back here with its code (or an error).</summary>
    private static async Task<IResult> CallbackAsync(HttpContext context, SignInStore store, SignInBrowser browser, UpstreamIdentityProvider upstream,
        ClientDirectory clients, IOptions<SignInOptions> options, ILogger<SignInStore> logger)
    {
        var parameters = context.Request.HasFormContentType ? (IEnumerable<KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>>)await context.Request.ReadFormAsync(context.RequestAborted) : context.Request.Query;
        var values = parameters.ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);
        var pendingId = values.GetValueOrDefault("state") is { Length: > 0 } state ? await store.TakeUpstreamStateAsync(state, context.RequestAborted) : null;
        var pending = pendingId is null ? null : await store.GetPendingAsync(pendingId, context.RequestAborted);
        if (pending is null)
        {
            return SignInPages.Error("This sign-in has expired", "The identity provider's answer does not belong to a sign-in in progress (its state is unknown, used or expired).");
        }
        if (!SignInBrowser.IsBound(context, pending))
        {
            return SignInPages.Error("This sign-in was started elsewhere", "The identity provider's answer arrived in a browser other than the one that started this sign-in.", StatusCodes.Status403Forbidden);
        }
        var clientState = pending.Parameters.GetValueOrDefault("state");
        if (values.GetValueOrDefault("error") is { Length: > 0 } upstreamError || values.GetValueOrDefault("code") is not { Length: > 0 } code)
        {
            await store.TakePendingAsync(pending.Id, context.RequestAborted);
            return SignInBrowser.ClientError(context, pending.RedirectUri, clientState, "access_denied", "The identity provider did not sign the user in.");
        }
        var settings = options.Value;
        UpstreamGrant grant;
        try
        {
            grant = await upstream.RedeemAsync(SignInUrls.CallbackUri(context.Request), code, pending.UpstreamCodeVerifier ?? "", settings.Scopes, context.RequestAborted);
        }
        catch (UpstreamRefusedException ex)
        {
            LogUpstreamRefused(logger, ex.Reason);
            await store.TakePendingAsync(pending.Id, context.RequestAborted);
            return SignInBrowser.ClientError(context, pending.RedirectUri, clientState, "access_denied", "The identity provider did not complete the sign-in.");
        }
        browser.RememberUser(context, grant.User, settings.ConsentLifetime);
        pending = pending with { User = grant.User, UpstreamTokens = grant.ProtectedTokens, UpstreamCodeVerifier = null };
        var consented = pending.ApprovedOnPage || pending.RememberedUser == grant.User.Key ||
                        (await store.GetConsentAsync(grant.User.Key, pending.ClientId, context.RequestAborted) is { } consent && pending.Scopes.All(consent.Scopes.Contains));
        if (consented)
        {
            // Approved on the page in this sign-in, or an approval this user gave before: either way it is theirs now.
            pending = pending.ApprovedOnPage ? pending : pending with { RememberedUser = grant.User.Key };
            await store.SaveConsentIfRememberedAsync(grant.User, pending, settings, context.RequestAborted);
            await store.SavePendingAsync(pending, settings.PendingLifetime, context.RequestAborted);
            return Results.Redirect(ReentryUrl(context, pending));
        }
        // Another user than the remembered one signed in: they decide for themselves.
        var csrf = SignInBrowser.NewSecret();
        pending = pending with { CsrfTokenHash = SignInBrowser.Hash(csrf), RememberedUser = null };
        await store.SavePendingAsync(pending, settings.PendingLifetime, context.RequestAborted);
        var lookup = await clients.FindAsync(pending.ClientId, context.RequestAborted);
        return lookup.Client is { } client
            ? SignInPages.Consent(View(context, pending, client, csrf, grant.User.Name ?? grant.User.UserName))
            : SignInPages.Error("This client is no longer registered", lookup.Problem ?? "");
    }

    /// <summary>Back in /authorize with a pending request that is signed in and approved: OpenIddict issues the code.</summary>
    private static async Task<IResult> CompleteAsync(HttpContext context, OpenIddictRequest request, SignInClient client, string pendingId, SignInStore store, SignInOptions settings)
    {
        var pending = await store.GetPendingAsync(pendingId, context.RequestAborted);
        if (pending is null || !SignInBrowser.IsBound(context, pending))
        {
            return SignInBrowser.ClientError(context, request.RedirectUri!, request.State, "invalid_request", "The sign-in expired or was already completed; start again.");
        }
        var current = Parameters(request);
        if (pending.User is not { } user || pending.UpstreamTokens is null || !(pending.ApprovedOnPage || pending.RememberedUser == user.Key) ||
            pending.ClientId != client.ClientId || !current.OrderBy(p => p.Key, StringComparer.Ordinal).SequenceEqual(pending.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal)))
        {
            return SignInPages.Error("This sign-in request was altered", "The request coming back from the sign-in is not the one that started it.");
        }
        if (await store.TakePendingAsync(pending.Id, context.RequestAborted) is null)
        {
            return SignInBrowser.ClientError(context, request.RedirectUri!, request.State, "invalid_request", "The sign-in was already completed; start again.");
        }
        var codeId = SignInBrowser.NewSecret();
        var grant = new GrantRecord(SignInStore.FormatVersion, SignInBrowser.NewSecret(), client.ClientId, user, pending.Scopes, pending.Resource, pending.UpstreamTokens);
        await store.SaveCodeAsync(grant, codeId, settings.AuthorizationCodeLifetime, context.RequestAborted);
        return Results.SignIn(SignInPrincipal.For(grant, codeId, refreshId: null), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static async Task<IResult> GoUpstreamAsync(HttpContext context, PendingAuthorization pending, SignInStore store, UpstreamIdentityProvider upstream, SignInOptions settings)
    {
        var state = SignInBrowser.NewSecret();
        var (url, verifier) = await upstream.BeginAsync(SignInUrls.CallbackUri(context.Request), state, settings.Scopes, context.RequestAborted);
        await store.SavePendingAsync(pending with { UpstreamState = SignInBrowser.Hash(state), UpstreamCodeVerifier = verifier }, settings.PendingLifetime, context.RequestAborted);
        await store.SaveUpstreamStateAsync(state, pending.Id, settings.PendingLifetime, context.RequestAborted);
        return Results.Redirect(url.AbsoluteUri);
    }

    private static Task SaveConsentIfRememberedAsync(this SignInStore store, SignedInUser user, PendingAuthorization pending, SignInOptions settings, CancellationToken cancellationToken) =>
        pending.ApprovedOnPage && settings.ConsentLifetime > TimeSpan.Zero
            ? store.SaveConsentAsync(user.Key, pending.ClientId, pending.Scopes, settings.ConsentLifetime, cancellationToken)
            : Task.CompletedTask;

    private static string ReentryUrl(HttpContext context, PendingAuthorization pending) =>
        QueryHelpers.AddQueryString($"{context.Request.PathBase}{SignInUrls.Authorize}",
            pending.Parameters.Append(new(PendingParameter, pending.Id)).Select(p => new KeyValuePair<string, string?>(p.Key, p.Value)));

    private static Dictionary<string, string> Parameters(OpenIddictRequest request) =>
        request.GetParameters().Where(p => p.Key != PendingParameter).ToDictionary(p => p.Key, p => p.Value.ToString() ?? "", StringComparer.Ordinal);

    private static ConsentView View(HttpContext context, PendingAuthorization pending, SignInClient client, string csrf, string? userName) =>
        new(client.ClientId, client.DisplayName, client.Source, pending.RedirectUri, pending.Scopes, pending.Resource, userName, pending.Id, csrf,
            $"{context.Request.PathBase}{SignInUrls.Consent}");

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused an authorization request: {Error}")]
    private static partial void LogRefused(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The identity provider refused to complete a sign-in ({Reason})")]
    private static partial void LogUpstreamRefused(ILogger logger, string reason);
}

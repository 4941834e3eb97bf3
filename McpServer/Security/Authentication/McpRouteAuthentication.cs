using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Prynai.McpServer.Transport;

namespace Prynai.McpServer.Security.Authentication;

/// <summary>
/// ASP.NET Core's authentication middleware, except on the MCP routes, where only the default (bearer) scheme
/// authenticates. The standard middleware first asks every request-handling scheme whether a request is its own —
/// with sign-in on that is OpenIddict's server, which ran its whole request pipeline on every MCP call (about a fifth
/// of an authenticated call's CPU, measured) to learn that /mcp is not its authorize, token or metadata endpoint.
/// </summary>
internal sealed class McpRouteAuthentication(RequestDelegate next, IAuthenticationSchemeProvider schemes)
{
    /// <summary>The application property by which UseAuthentication() tells WebApplication the middleware is in place.</summary>
    public const string MiddlewareSetKey = "__AuthenticationMiddlewareSet";

    private readonly AuthenticationMiddleware _everywhereElse = new(next, schemes);

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<McpRouteMetadata>() is null)
        {
            await _everywhereElse.Invoke(context);
            return;
        }

        // What AuthenticationMiddleware does once no request handler claimed the request.
        context.Features.Set<IAuthenticationFeature>(new AuthenticationFeature
        {
            OriginalPath = context.Request.Path,
            OriginalPathBase = context.Request.PathBase,
        });
        if (await schemes.GetDefaultAuthenticateSchemeAsync() is { } scheme)
        {
            var result = await context.AuthenticateAsync(scheme.Name);
            if (result.Principal is { } principal)
            {
                context.User = principal;
            }
            if (result.Succeeded)
            {
                var outcome = new AuthenticationOutcome(result);
                context.Features.Set<IHttpAuthenticationFeature>(outcome);
                context.Features.Set<IAuthenticateResultFeature>(outcome);
            }
        }
        await next(context);
    }

    /// <summary>The request's authentication result, as the standard middleware exposes it (replacing the user forgets it).</summary>
    private sealed class AuthenticationOutcome(AuthenticateResult result) : IAuthenticateResultFeature, IHttpAuthenticationFeature
    {
        private AuthenticateResult? _result = result;
        private ClaimsPrincipal? _user = result.Principal;

        public AuthenticateResult? AuthenticateResult
        {
            get => _result;
            set
            {
                _result = value;
                _user = value?.Principal;
            }
        }

        public ClaimsPrincipal? User
        {
            get => _user;
            set
            {
                _user = value;
                _result = null;
            }
        }
    }
}

using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Prynai.McpServer.Security;

/// <summary>
/// The caller holds one of the required app roles (<c>roles</c>, client-credentials tokens) or one of the required
/// delegated scopes (<c>scp</c>). Each list is any-of; with both configured either kind of caller is admitted, so app
/// and user callers can share a server. Nothing configured: any authenticated caller.
/// </summary>
internal sealed class CallerPermissionRequirement : IAuthorizationRequirement;

internal sealed class CallerPermissionHandler(IOptions<AuthOptions> options) : AuthorizationHandler<CallerPermissionRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, CallerPermissionRequirement requirement)
    {
        var auth = options.Value;
        if (IsPermitted(context.User, auth.RequiredAppRoles, auth.RequiredScopes))
        {
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }

    internal static bool IsPermitted(System.Security.Claims.ClaimsPrincipal user, IReadOnlyCollection<string> roles, IReadOnlyCollection<string> scopes)
    {
        if (roles.Count == 0 && scopes.Count == 0)
        {
            return true;
        }
        var held = user.FindAll("roles").Concat(user.FindAll("role")).Select(c => c.Value);
        var granted = user.FindAll("scp").SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        return held.Any(role => roles.Contains(role, StringComparer.Ordinal)) ||
               granted.Any(scope => scopes.Contains(scope, StringComparer.Ordinal));
    }
}

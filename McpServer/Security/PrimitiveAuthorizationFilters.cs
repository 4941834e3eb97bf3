using Microsoft.AspNetCore.Authorization;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Prynai.McpServer.Security;

/// <summary>
/// Per-tool, per-prompt and per-resource authorization with the standard <see cref="AuthorizeAttribute"/> (e.g.
/// <c>[Authorize(Roles = "Mcp.Admin")]</c> on the method): a caller who does not satisfy it does not see the item in
/// list results and is refused when asking for it. Stands in for ModelContextProtocol.AspNetCore's authorization
/// filters, which this build cannot restore.
/// </summary>
internal static class PrimitiveAuthorizationFilters
{
    public static IMcpServerBuilder AddPrimitiveAuthorization(this IMcpServerBuilder builder) =>
        builder.WithRequestFilters(filters => filters
            .AddListToolsFilter(next => async (request, ct) =>
            {
                var result = await next(request, ct);
                await RemoveForbiddenAsync(result.Tools, tool => Find(request.Server.ServerOptions.ToolCollection, tool.Name), request);
                return result;
            })
            .AddCallToolFilter(next => async (request, ct) =>
            {
                await DemandAsync(Find(request.Server.ServerOptions.ToolCollection, request.Params?.Name), request, "tool", request.Params?.Name);
                return await next(request, ct);
            })
            .AddListPromptsFilter(next => async (request, ct) =>
            {
                var result = await next(request, ct);
                await RemoveForbiddenAsync(result.Prompts, prompt => Find(request.Server.ServerOptions.PromptCollection, prompt.Name), request);
                return result;
            })
            .AddGetPromptFilter(next => async (request, ct) =>
            {
                await DemandAsync(Find(request.Server.ServerOptions.PromptCollection, request.Params?.Name), request, "prompt", request.Params?.Name);
                return await next(request, ct);
            })
            .AddListResourcesFilter(next => async (request, ct) =>
            {
                var result = await next(request, ct);
                await RemoveForbiddenAsync(result.Resources, resource => Match(request.Server.ServerOptions.ResourceCollection, resource.Uri), request);
                return result;
            })
            .AddListResourceTemplatesFilter(next => async (request, ct) =>
            {
                var result = await next(request, ct);
                await RemoveForbiddenAsync(result.ResourceTemplates, template => Find(request.Server.ServerOptions.ResourceCollection, template.UriTemplate), request);
                return result;
            })
            .AddReadResourceFilter(next => async (request, ct) =>
            {
                await DemandAsync(Match(request.Server.ServerOptions.ResourceCollection, request.Params?.Uri), request, "resource", request.Params?.Uri);
                return await next(request, ct);
            }));

    private static T? Find<T>(McpServerPrimitiveCollection<T>? collection, string? name) where T : IMcpServerPrimitive =>
        name is not null && collection is not null && collection.TryGetPrimitive(name, out var primitive) ? primitive : default;

    private static McpServerResource? Match(McpServerResourceCollection? resources, string? uri) =>
        uri is null ? null : resources?.FirstOrDefault(resource => resource.IsMatch(uri));

    private static async Task RemoveForbiddenAsync<T>(IList<T> items, Func<T, IMcpServerPrimitive?> primitiveOf, MessageContext request)
    {
        for (var i = items.Count - 1; i >= 0; i--)
        {
            if (!await IsAllowedAsync(primitiveOf(items[i]), request))
            {
                items.RemoveAt(i);
            }
        }
    }

    private static async Task DemandAsync(IMcpServerPrimitive? primitive, MessageContext request, string kind, string? name)
    {
        if (!await IsAllowedAsync(primitive, request))
        {
            var roles = primitive!.Metadata.OfType<IAuthorizeData>().Select(data => data.Roles).OfType<string>();
            throw new McpProtocolException(
                $"Access forbidden: the {kind} '{name}' requires the app role {string.Join(" or ", roles)}, which this caller's token does not carry.",
                McpErrorCode.InvalidRequest);
        }
    }

    private static async Task<bool> IsAllowedAsync(IMcpServerPrimitive? primitive, MessageContext request)
    {
        var rules = primitive?.Metadata.OfType<IAuthorizeData>().ToList();
        if (rules is not { Count: > 0 })
        {
            return true;
        }
        var services = request.Services ?? throw new InvalidOperationException("The MCP server was created without services.");
        var policy = await AuthorizationPolicy.CombineAsync(services.GetRequiredService<IAuthorizationPolicyProvider>(), rules);
        if (policy is null)
        {
            return true;
        }
        var user = request.User ?? new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity());
        return (await services.GetRequiredService<IAuthorizationService>().AuthorizeAsync(user, request, policy)).Succeeded;
    }
}

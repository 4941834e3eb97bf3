using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Prynai.McpServer.Security;

/// <summary>
/// <c>[Authorize]</c> on tools, prompts and resources through ModelContextProtocol.AspNetCore's authorization filters
/// (a caller who does not satisfy it does not see the item in list results and is refused when asking for it), with
/// a refusal that says what is missing: the SDK's own reads "This tool requires authorization", ours names the roles.
/// </summary>
internal static class AuthorizationRefusals
{
    public static IMcpServerBuilder AddPrimitiveAuthorization(this IMcpServerBuilder builder)
    {
        builder.AddAuthorizationFilters();
        // Registered after the SDK's setup, so this runs after it and wraps its (outermost) tools/call check.
        builder.Services.AddSingleton<IPostConfigureOptions<McpServerOptions>, NamedRoleRefusal>();
        return builder;
    }

    private sealed class NamedRoleRefusal : IPostConfigureOptions<McpServerOptions>
    {
        public void PostConfigure(string? name, McpServerOptions options)
        {
#pragma warning disable MCPEXP002 // The SDK's authorization check for tools/call sits in this pipeline; only its refusal is reworded.
            options.Filters.Request.CallToolWithAlternateFilters.Insert(0, async (request, next, cancellationToken) =>
            {
                try
                {
                    return await next(request, cancellationToken);
                }
                catch (McpProtocolException refused) when (refused.ErrorCode == McpErrorCode.InvalidRequest
                    && refused.Message.StartsWith("Access forbidden", StringComparison.Ordinal)
                    && RolesOf(request.MatchedPrimitive) is { Length: > 0 } roles)
                {
                    throw new McpProtocolException(
                        $"Access forbidden: the tool '{request.Params?.Name}' requires the app role {roles}, which this caller's token does not carry.",
                        refused, McpErrorCode.InvalidRequest);
                }
            });
#pragma warning restore MCPEXP002
        }

        private static string? RolesOf(IMcpServerPrimitive? primitive) =>
            primitive is null ? null : string.Join(" or ", primitive.Metadata.OfType<IAuthorizeData>().Select(data => data.Roles).OfType<string>());
    }
}

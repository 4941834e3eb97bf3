using Prynai.McpServer.Security.Authentication;
using Prynai.McpServer.Transport;

namespace Prynai.McpServer.Security.RequestChecks;

/// <summary>
/// A token in the URL (<c>?access_token=</c>) ends up in logs, proxies and browser history, so an MCP request that
/// carries one is refused (400, <c>error="invalid_request"</c>) whether or not authentication is on.
/// </summary>
internal sealed class TokenInQueryRefusal(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<McpRouteMetadata>() is not null &&
        (context.Request.Query.ContainsKey("access_token") || context.Request.Query.ContainsKey("token"))
            ? BearerChallenge.WriteAsync(context, StatusCodes.Status400BadRequest, AuthFailureReason.TokenInQuery)
            : next(context);
}

using Prynai.McpServer.Security;

namespace Prynai.McpServer.Transport;

/// <summary>Marks endpoints that speak MCP, so the request checks (origin, host, limits, auth) find them.</summary>
public sealed class McpRouteMetadata;

public static class McpEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps Streamable HTTP at the configured path (POST, GET, DELETE; 405 for other verbs) and, when enabled,
    /// the deprecated HTTP+SSE transport at <c>/sse</c> and <c>/messages</c>.
    /// </summary>
    public static IEndpointConventionBuilder MapMcpEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var options = endpoints.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<McpTransportOptions>>().Value;
        var group = endpoints.MapGroup("").WithMetadata(new McpRouteMetadata()).RequireMcpSecurity(endpoints.ServiceProvider);

        group.Map(options.Path, context => EndpointExceptionGuard.RunAsync(context, static context =>
        {
            var endpoint = context.RequestServices.GetRequiredService<StreamableHttpEndpoint>();
            return context.Request.Method switch
            {
                "POST" => endpoint.PostAsync(context),
                "GET" => endpoint.GetAsync(context),
                "DELETE" => endpoint.DeleteAsync(context),
                _ => MethodNotAllowed(context),
            };
        }));

        if (options.EnableLegacySse)
        {
            group.MapGet(HttpSseEndpoint.StreamPath, (HttpContext context, HttpSseEndpoint sse) => EndpointExceptionGuard.RunAsync(context, sse.StreamAsync));
            group.MapPost(HttpSseEndpoint.MessagesPath, (HttpContext context, HttpSseEndpoint sse) => EndpointExceptionGuard.RunAsync(context, sse.PostAsync));
        }
        return group;
    }

    private static Task MethodNotAllowed(HttpContext context)
    {
        context.Response.Headers.Allow = "GET, POST, DELETE";
        return JsonRpcHttpResponses.WriteErrorAsync(context, StatusCodes.Status405MethodNotAllowed, ModelContextProtocol.McpErrorCode.InvalidRequest,
            $"Method Not Allowed: {context.Request.Method} is not part of the MCP Streamable HTTP transport.");
    }
}

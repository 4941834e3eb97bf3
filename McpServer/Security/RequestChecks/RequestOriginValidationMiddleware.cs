using Microsoft.Extensions.Options;
using ModelContextProtocol;
using Prynai.McpServer.Transport;

namespace Prynai.McpServer.Security.RequestChecks;

/// <summary>
/// Refuses (403) an MCP request whose Host or Origin is not allowed, so a web page reached through DNS rebinding
/// cannot drive a server listening on this machine. Health and metadata endpoints are not MCP routes and are not checked.
/// </summary>
internal sealed partial class RequestOriginValidationMiddleware(RequestDelegate next, IOptionsMonitor<RequestOriginOptions> options, ILogger<RequestOriginValidationMiddleware> logger)
{
    private static readonly string[] LoopbackHosts = ["localhost", "127.0.0.1", "[::1]", "::1"];

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<McpRouteMetadata>() is null)
        {
            await next(context);
            return;
        }

        var settings = options.CurrentValue;
        var host = context.Request.Host.Host;
        if (!IsAllowedHost(host, settings))
        {
            LogRefused(logger, "host");
            await JsonRpcHttpResponses.WriteErrorAsync(context, StatusCodes.Status403Forbidden, McpErrorCode.InvalidRequest,
                "Forbidden: the request's Host is not allowed for this server (DNS-rebinding protection; see Security:AllowedHosts).");
            return;
        }

        var origin = context.Request.Headers.Origin.ToString();
        if (origin.Length > 0 && !IsAllowedOrigin(origin, context.Request, settings))
        {
            LogRefused(logger, "origin");
            await JsonRpcHttpResponses.WriteErrorAsync(context, StatusCodes.Status403Forbidden, McpErrorCode.InvalidRequest,
                "Forbidden: the request's Origin is not allowed for this server (see Security:AllowedOrigins).");
            return;
        }

        await next(context);
    }

    internal static bool IsAllowedHost(string host, RequestOriginOptions settings)
    {
        if (LoopbackHosts.Contains(host, StringComparer.OrdinalIgnoreCase))
        {
            return true;
        }
        foreach (var allowed in settings.AllowedHosts)
        {
            if (allowed == "*" || string.Equals(allowed, host, StringComparison.OrdinalIgnoreCase) ||
                (allowed.StartsWith("*.", StringComparison.Ordinal) && host.EndsWith(allowed[1..], StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }
        return false;
    }

    internal static bool IsAllowedOrigin(string origin, HttpRequest request, RequestOriginOptions settings)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var originUri))
        {
            return false;
        }
        if (settings.AllowedOrigins.Any(allowed => allowed == "*" || string.Equals(allowed.TrimEnd('/'), origin.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }
        // Same origin, or a page served from this machine calling a server on this machine.
        return string.Equals(originUri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)
               || (LoopbackHosts.Contains(originUri.Host, StringComparer.OrdinalIgnoreCase)
                   && LoopbackHosts.Contains(request.Host.Host, StringComparer.OrdinalIgnoreCase));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused an MCP request: its {Part} is not allowed")]
    private static partial void LogRefused(ILogger logger, string part);
}

using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Prynai.McpServer.Transport;

namespace Prynai.McpServer.Resources;

/// <summary>
/// resources/read of a URI no resource serves: the error names the URI in <c>data.uri</c> (SEP-2164), with the code
/// of the negotiated revision (-32602 on 2026-07-28, -32002 before).
/// </summary>
internal static class ResourceNotFoundFilter
{
    public static McpRequestHandler<ReadResourceRequestParams, ReadResourceResult> Create(McpRequestHandler<ReadResourceRequestParams, ReadResourceResult> next) =>
        (request, cancellationToken) =>
        {
            var uri = request.Params?.Uri;
            if (uri is not null && request.Server.ServerOptions.ResourceCollection?.Any(resource => resource.IsMatch(uri)) != true)
            {
                throw NotFound(request.Server, uri);
            }
            return next(request, cancellationToken);
        };

    /// <summary>The error for a URI that matches a template but names nothing that exists (e.g. customer://C9999).</summary>
    public static McpProtocolException NotFound(ModelContextProtocol.Server.McpServer server, string uri, string? detail = null)
    {
        var code = ProtocolRevisions.UsesPerRequestMetadata(server.NegotiatedProtocolVersion)
            ? McpErrorCode.InvalidParams
            : McpErrorCode.ResourceNotFound;
        return new McpProtocolException(detail ?? $"Resource not found: {uri}", code) { Data = { ["uri"] = uri } };
    }
}

using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Prynai.McpServer.State;

namespace Prynai.McpServer.Resources;

/// <summary>
/// resources/read of a resource whose store is down (prynai://counter with Redis unreachable, customer://… with Cosmos
/// DB unreachable) answers with the message the tools give — "The redis state store is unavailable; try again
/// shortly." — instead of the SDK's bare "An error occurred".
/// </summary>
internal static class StoreOutageFilter
{
    public static McpRequestHandler<ReadResourceRequestParams, ReadResourceResult> Create(McpRequestHandler<ReadResourceRequestParams, ReadResourceResult> next) =>
        async (request, cancellationToken) =>
        {
            try
            {
                return await next(request, cancellationToken);
            }
            catch (StateStoreUnavailableException ex)
            {
                throw new McpException(ex.Message, ex);
            }
        };
}

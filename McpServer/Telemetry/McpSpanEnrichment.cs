using System.Diagnostics;
using ModelContextProtocol.Server;

namespace Prynai.McpServer.Telemetry;

/// <summary>
/// Corrects the MCP SDK's server spans where its view differs from the wire: <c>mcp.session.id</c> is the
/// <c>Mcp-Session-Id</c> the client sees (the SDK would record an internal id, even for stateless requests, which
/// have no session), so a trace can be found from the session a client reports.
/// </summary>
internal static class McpSpanEnrichment
{
    private const string McpSource = "Experimental.ModelContextProtocol";

    public static McpMessageHandler Enrich(McpMessageHandler next) => (context, cancellationToken) =>
    {
        if (Activity.Current is { Source.Name: McpSource } span)
        {
            span.SetTag("mcp.session.id", context.Server.SessionId);
        }
        return next(context, cancellationToken);
    };
}

using ModelContextProtocol.Protocol;

namespace Prynai.McpServer.Transport;

internal static class HttpMessageContext
{
    /// <summary>
    /// Hands the HTTP request's facts to the SDK with the message: the authenticated caller, and the protocol version
    /// the MCP-Protocol-Version header named.
    /// </summary>
    public static void Attach(HttpContext context, JsonRpcMessage message, string? headerVersion)
    {
        message.Context ??= new JsonRpcMessageContext();
        if (context.User.Identity?.IsAuthenticated == true)
        {
            message.Context.User = context.User;
        }
        if (headerVersion is not null)
        {
            message.Context.ProtocolVersion = headerVersion;
        }
    }
}

using ModelContextProtocol;

namespace Prynai.McpServer.Transport;

/// <summary>
/// The last line of the MCP endpoints: whatever a handler did not expect still gets a JSON-RPC answer and exactly
/// one log entry. A client that went away is nobody's error; a request Kestrel found malformed gets Kestrel's 4xx;
/// anything else is a server bug: one error-level entry with the exception, and -32603 with the trace id to the client.
/// </summary>
internal static partial class EndpointExceptionGuard
{
    public static async Task RunAsync(HttpContext context, Func<HttpContext, Task> handler)
    {
        try
        {
            await handler(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client closed the request (or its stream): there is no one left to answer.
        }
        catch (BadHttpRequestException ex)
        {
            Logger(context).ClientRequestInvalid(context.Request.Method, ex.Message);
            if (!context.Response.HasStarted)
            {
                await JsonRpcHttpResponses.WriteErrorAsync(context, ex.StatusCode, McpErrorCode.InvalidRequest, $"Bad request: {ex.Message}");
            }
        }
        catch (Exception ex)
        {
            Logger(context).UnexpectedFailure(ex, context.Request.Method, context.TraceIdentifier);
            if (context.Response.HasStarted)
            {
                context.Abort();
                return;
            }
            context.Response.Clear();
            await JsonRpcHttpResponses.WriteErrorAsync(context, StatusCodes.Status500InternalServerError, McpErrorCode.InternalError,
                $"Internal error: the server failed unexpectedly (request {context.TraceIdentifier}); its log has the details.");
        }
    }

    private static ILogger Logger(HttpContext context) =>
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EndpointExceptionGuard).FullName!);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Malformed {Method} request refused: {Reason}")]
    private static partial void ClientRequestInvalid(this ILogger logger, string method, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected failure serving {Method} (request {TraceIdentifier})")]
    private static partial void UnexpectedFailure(this ILogger logger, Exception exception, string method, string traceIdentifier);
}

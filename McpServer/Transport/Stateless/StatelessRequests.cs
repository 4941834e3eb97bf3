using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Prynai.McpServer.Transport.Validation;
using ProtocolServer = ModelContextProtocol.Server.McpServer;

namespace Prynai.McpServer.Transport.Stateless;

/// <summary>
/// Requests that stand alone: every POST of protocol 2026-07-28 (its version in a header, its client facts in
/// <c>params._meta</c>, no session), and the handshake revisions' requests when the server runs without sessions.
/// </summary>
internal sealed class StatelessRequests(StatelessServerOptions options, StatelessServerPool pool, ILoggerFactory loggerFactory)
{
    /// <summary>
    /// A 2026-07-28 request whose params already passed: its headers must agree with its body, then a pooled server
    /// answers — or, for <c>subscriptions/listen</c>, a server of its own, since the stream stays open as long as the
    /// client wants.
    /// </summary>
    public async Task ServeAsync(HttpContext context, JsonRpcMessage message, string? headerVersion, RequestId requestId)
    {
        if (PerRequestMetadataValidator.Validate(context.Request, message, headerVersion, options.Pooled.ToolCollection) is { } invalid)
        {
            await JsonRpcHttpResponses.WriteErrorAsync(context, invalid.Status, invalid.Code, invalid.Message, requestId);
            return;
        }
        if (message is JsonRpcRequest { Method: RequestMethods.SubscriptionsListen })
        {
            await ServeOnOwnServerAsync(context, message, headerVersion, mapErrorsToStatus: true);
        }
        else
        {
            await ServePooledAsync(context, message, headerVersion);
        }
    }

    /// <summary>A handshake revision's request on a server that keeps no sessions: answered as the SDK answers it, errors in the body.</summary>
    public Task ServeWithoutSessionAsync(HttpContext context, JsonRpcMessage message, string? headerVersion) =>
        ServeOnOwnServerAsync(context, message, headerVersion, mapErrorsToStatus: false);

    private async Task ServePooledAsync(HttpContext context, JsonRpcMessage message, string? headerVersion)
    {
        var server = pool.Rent();
        var reusable = false;
        try
        {
            await AnswerAsync(context, server.Transport, message, headerVersion, mapErrorsToStatus: true);
            reusable = !context.RequestAborted.IsCancellationRequested;
        }
        finally
        {
            await pool.ReturnAsync(server, reusable);
        }
    }

    private async Task ServeOnOwnServerAsync(HttpContext context, JsonRpcMessage message, string? headerVersion, bool mapErrorsToStatus)
    {
        var transport = new StreamableHttpServerTransport(loggerFactory) { Stateless = true };
        var server = ProtocolServer.Create(transport, options.PerRequest, loggerFactory, context.RequestServices);
        var run = server.RunAsync(context.RequestAborted);
        try
        {
            await AnswerAsync(context, transport, message, headerVersion, mapErrorsToStatus);
        }
        finally
        {
            await transport.DisposeAsync();
            try
            {
                await run;
            }
            catch (OperationCanceledException)
            {
            }
            await server.DisposeAsync();
        }
    }

    private static async Task AnswerAsync(HttpContext context, StreamableHttpServerTransport transport, JsonRpcMessage message,
        string? headerVersion, bool mapErrorsToStatus)
    {
        HttpMessageContext.Attach(context, message, headerVersion);
        ClientDisconnect.Attach(message, context.RequestAborted);
        var response = new SingleMessageResponse(context, mapErrorsToStatus);
        await transport.HandlePostRequestAsync(message, response, context.RequestAborted);
        if (!await response.CompleteAsync(context.RequestAborted))
        {
            JsonRpcHttpResponses.Accepted(context);
        }
    }
}

using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Server;
using Prynai.McpServer.Security;
using Prynai.McpServer.Transport.Validation;
using ProtocolServer = ModelContextProtocol.Server.McpServer;

namespace Prynai.McpServer.Transport;

/// <summary>
/// The deprecated HTTP+SSE transport (protocol 2024-11-05): <c>GET /sse</c> opens the stream and names the message
/// endpoint, <c>POST /messages?sessionId=…</c> delivers client messages. Off unless <c>Mcp:EnableLegacySse</c>.
/// Responses ride the GET stream, so such a session lives on the replica that holds its stream.
/// </summary>
internal sealed class HttpSseEndpoint(
    IOptions<McpTransportOptions> transportOptions,
    IOptions<McpServerOptions> serverOptions,
    IServiceProvider services,
    IHostApplicationLifetime lifetime,
    ILoggerFactory loggerFactory)
{
    public const string StreamPath = "/sse";
    public const string MessagesPath = "/messages";

    private readonly ConcurrentDictionary<string, (SseResponseStreamTransport Transport, string? Owner)> _streams = new(StringComparer.Ordinal);

    public async Task StreamAsync(HttpContext context)
    {
        if (_streams.Count >= transportOptions.Value.MaxSessions)
        {
            context.Response.Headers.RetryAfter = "30";
            await JsonRpcHttpResponses.WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, JsonRpcHttpResponses.ServerErrorCode,
                "This server already holds its maximum number of SSE sessions; retry later.");
            return;
        }

        var sessionId = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        JsonRpcHttpResponses.StartEventStream(context);
        await using var transport = new SseResponseStreamTransport(context.Response.Body, $"{MessagesPath}?sessionId={sessionId}", sessionId);
        _streams[sessionId] = (transport, CallerIdentity.Of(context.User));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        try
        {
            await using var server = ProtocolServer.Create(transport, serverOptions.Value, loggerFactory, services);
            var transportTask = transport.RunAsync(stop.Token);
            await server.RunAsync(stop.Token);
            await transportTask;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            _streams.TryRemove(sessionId, out _);
        }
    }

    public async Task PostAsync(HttpContext context)
    {
        var sessionId = context.Request.Query["sessionId"].ToString();
        if (!_streams.TryGetValue(sessionId, out var stream))
        {
            await JsonRpcHttpResponses.WriteErrorAsync(context, StatusCodes.Status404NotFound, JsonRpcHttpResponses.SessionNotFoundCode,
                "Session not found: open a new stream with GET /sse.");
            return;
        }
        if (!string.Equals(stream.Owner, CallerIdentity.Of(context.User), StringComparison.Ordinal))
        {
            await JsonRpcHttpResponses.WriteErrorAsync(context, StatusCodes.Status403Forbidden, JsonRpcHttpResponses.ServerErrorCode,
                "Forbidden: this session belongs to another identity.");
            return;
        }

        var read = await JsonRpcRequestReader.ReadAsync(context.Request, transportOptions.Value.MaxRequestBodyBytes, context.RequestAborted);
        if (read.Message is not { } message)
        {
            await JsonRpcHttpResponses.WriteErrorAsync(context, read.StatusCode, read.ErrorCode, read.Error!, read.Id);
            return;
        }
        if (RequestParamsValidator.Validate(message, perRequestMetadata: false) is { } invalidParams)
        {
            await JsonRpcHttpResponses.WriteErrorAsync(context, StatusCodes.Status400BadRequest, ModelContextProtocol.McpErrorCode.InvalidParams, invalidParams,
                message is ModelContextProtocol.Protocol.JsonRpcRequest request ? request.Id : default);
            return;
        }
        if (context.User.Identity?.IsAuthenticated == true)
        {
            (message.Context ??= new()).User = context.User;
        }
        await stream.Transport.OnMessageReceivedAsync(message, context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        await context.Response.WriteAsync("Accepted", context.RequestAborted);
    }
}

using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using Prynai.McpServer.Transport.Sessions;
using Prynai.McpServer.Transport.Stateless;
using Prynai.McpServer.Transport.Validation;

namespace Prynai.McpServer.Transport;

/// <summary>
/// Streamable HTTP on one endpoint for both protocol generations, in place of the SDK's <c>MapMcp()</c> (why, with
/// the measurements: docs/architecture.md). Here only what every request shares: content negotiation, reading and
/// checking the body, the protocol version; then 2026-07-28 requests go to <see cref="StatelessRequests"/> and the
/// handshake revisions' to <see cref="SessionRequests"/>.
/// </summary>
internal sealed class StreamableHttpEndpoint(StatelessRequests stateless, SessionRequests sessions, IOptions<McpTransportOptions> options)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static readonly MediaTypeHeaderValue EventStream = new("text/event-stream");

    public async Task PostAsync(HttpContext context)
    {
        var request = context.Request;
        if (!IsJsonContentType(request.ContentType))
        {
            await JsonRpcHttpResponses.WriteErrorAsync(context, StatusCodes.Status415UnsupportedMediaType, McpErrorCode.InvalidRequest,
                "Unsupported Media Type: the body must be a JSON-RPC message with Content-Type: application/json.");
            return;
        }
        if (!Accepts(request, Json, HeaderVerdicts.AcceptsJson) || !Accepts(request, EventStream, HeaderVerdicts.AcceptsEventStream))
        {
            await JsonRpcHttpResponses.WriteErrorAsync(context, StatusCodes.Status406NotAcceptable, McpErrorCode.InvalidRequest,
                "Not Acceptable: the Accept header must allow both application/json and text/event-stream.");
            return;
        }

        var read = await JsonRpcRequestReader.ReadAsync(request, options.Value.MaxRequestBodyBytes, context.RequestAborted);
        if (read.Message is not { } message)
        {
            await JsonRpcHttpResponses.WriteErrorAsync(context, read.StatusCode, read.ErrorCode, read.Error!, read.Id);
            return;
        }
        await DispatchAsync(context, message);
    }

    /// <summary>
    /// A well-formed message: its protocol version decides the path. Params the SDK could not bind are refused before
    /// anything is served (no session is created) — except a method 2026-07-28 removed, which is a 404 whatever its params.
    /// </summary>
    private async Task DispatchAsync(HttpContext context, JsonRpcMessage message)
    {
        var requestId = message is JsonRpcRequest jsonRpcRequest ? jsonRpcRequest.Id : default;
        var headerVersion = HeaderVersion(context.Request);
        var sessionId = context.Request.Headers[McpHttpHeaders.SessionId].ToString();
        var perRequestMetadata = ProtocolRevisions.UsesPerRequestMetadata(headerVersion)
            || ProtocolRevisions.UsesPerRequestMetadata(PerRequestMetadataValidator.MetaProtocolVersion(message));

        if (headerVersion is not null && !ProtocolRevisions.IsSupported(headerVersion))
        {
            var isInitialize = message is JsonRpcRequest { Method: RequestMethods.Initialize };
            var wire = isInitialize || sessionId.Length > 0 ? ProtocolRevisions.SessionRevisions : ProtocolRevisions.PerRequestMetadataRevisions;
            await WriteUnsupportedVersionAsync(context, headerVersion, wire, requestId);
            return;
        }
        if (!(perRequestMetadata && PerRequestMetadataValidator.IsRemovedMethod(message))
            && await RefuseInvalidParamsAsync(context, message, perRequestMetadata, requestId))
        {
            return;
        }

        if (perRequestMetadata)
        {
            await stateless.ServeAsync(context, message, headerVersion, requestId);
        }
        else if (!options.Value.StatelessOnly)
        {
            await sessions.PostAsync(context, message, headerVersion, sessionId, requestId);
        }
        else if (sessionId.Length > 0)
        {
            await JsonRpcHttpResponses.WriteErrorAsync(context, StatusCodes.Status400BadRequest, McpErrorCode.InvalidRequest,
                "This server runs without sessions: send requests without an Mcp-Session-Id header.", requestId);
        }
        else
        {
            await stateless.ServeWithoutSessionAsync(context, message, headerVersion);
        }
    }

    /// <summary>400 on the revision that maps errors to statuses, the JSON-RPC error alone (as the SDK itself answers) on the session revisions.</summary>
    private static async Task<bool> RefuseInvalidParamsAsync(HttpContext context, JsonRpcMessage message, bool perRequestMetadata, RequestId requestId)
    {
        if (RequestParamsValidator.Validate(message, perRequestMetadata) is not { } invalidParams)
        {
            return false;
        }
        await JsonRpcHttpResponses.WriteErrorAsync(context, perRequestMetadata ? StatusCodes.Status400BadRequest : StatusCodes.Status200OK,
            McpErrorCode.InvalidParams, invalidParams, requestId);
        return true;
    }

    public async Task GetAsync(HttpContext context)
    {
        if (await RefuseSessionRouteAsync(context))
        {
            return;
        }
        if (!Accepts(context.Request, EventStream, HeaderVerdicts.AcceptsEventStream))
        {
            await JsonRpcHttpResponses.WriteErrorAsync(context, StatusCodes.Status406NotAcceptable, McpErrorCode.InvalidRequest,
                "Not Acceptable: the Accept header must allow text/event-stream.");
            return;
        }
        await sessions.GetAsync(context);
    }

    public async Task DeleteAsync(HttpContext context)
    {
        if (!await RefuseSessionRouteAsync(context))
        {
            await sessions.DeleteAsync(context);
        }
    }

    /// <summary>GET and DELETE exist only for session revisions; answers 405 (or 400 without a session id) otherwise.</summary>
    private async Task<bool> RefuseSessionRouteAsync(HttpContext context)
    {
        var headerVersion = HeaderVersion(context.Request);
        if (headerVersion is not null && !ProtocolRevisions.IsSupported(headerVersion))
        {
            await WriteUnsupportedVersionAsync(context, headerVersion, ProtocolRevisions.SessionRevisions, default);
            return true;
        }
        if (options.Value.StatelessOnly || ProtocolRevisions.UsesPerRequestMetadata(headerVersion))
        {
            context.Response.Headers.Allow = HttpMethods.Post;
            await JsonRpcHttpResponses.WriteErrorAsync(context, StatusCodes.Status405MethodNotAllowed, McpErrorCode.InvalidRequest,
                options.Value.StatelessOnly
                    ? $"Method Not Allowed: this server runs without sessions; only POST is served."
                    : $"Method Not Allowed: protocol {headerVersion} has no sessions; use POST (subscriptions/listen for notifications).");
            return true;
        }
        if (context.Request.Headers[McpHttpHeaders.SessionId].ToString().Length == 0)
        {
            await JsonRpcHttpResponses.WriteErrorAsync(context, StatusCodes.Status400BadRequest, McpErrorCode.InvalidRequest,
                $"Bad Request: {context.Request.Method} needs the Mcp-Session-Id header of a session started with initialize.");
            return true;
        }
        return false;
    }

    private static string? HeaderVersion(HttpRequest request) =>
        request.Headers[McpHttpHeaders.ProtocolVersion].ToString() is { Length: > 0 } version ? version.Trim() : null;

    /// <summary>No Accept header means anything is acceptable (RFC 9110 §12.5.1); wildcards count.</summary>
    private static bool Accepts(HttpRequest request, MediaTypeHeaderValue mediaType, System.Collections.Concurrent.ConcurrentDictionary<string, bool> verdicts)
    {
        var header = request.Headers.Accept.ToString();
        return header.Length == 0 || HeaderVerdicts.Get(verdicts, header, value =>
        {
            var accept = MediaTypeHeaderValue.ParseList([value]);
            return accept.Count == 0 || accept.Any(candidate => mediaType.IsSubsetOf(candidate) && candidate.Quality is not 0);
        });
    }

    private static bool IsJsonContentType(string? contentType) =>
        contentType is not null && HeaderVerdicts.Get(HeaderVerdicts.IsJson, contentType,
            value => MediaTypeHeaderValue.TryParse(value, out var parsed) && parsed.IsSubsetOf(Json));

    private static Task WriteUnsupportedVersionAsync(HttpContext context, string requested, string[] supported, RequestId requestId) =>
        JsonRpcHttpResponses.WriteErrorAsync(context, StatusCodes.Status400BadRequest, McpErrorCode.UnsupportedProtocolVersion,
            $"Unsupported protocol version '{requested}'. Supported: {string.Join(", ", supported)}.",
            requestId,
            JsonSerializer.SerializeToNode(new UnsupportedProtocolVersionErrorData { Requested = requested, Supported = supported },
                McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(UnsupportedProtocolVersionErrorData))));
}

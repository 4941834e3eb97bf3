using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Features;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace Prynai.McpServer.Transport;

/// <summary>Writes the HTTP side of JSON-RPC: error bodies with a status code, 202 acceptances, SSE response headers.</summary>
internal static class JsonRpcHttpResponses
{
    /// <summary>Not in the MCP spec; the TypeScript SDK and the C# SDK both answer an unknown session with it.</summary>
    public const int SessionNotFoundCode = -32001;

    /// <summary>JSON-RPC's generic server error, for transport-level refusals that have no MCP code.</summary>
    public const int ServerErrorCode = -32000;

    public static readonly JsonTypeInfo<JsonRpcMessage> MessageTypeInfo = TypeInfo<JsonRpcMessage>();
    private static readonly JsonTypeInfo<JsonRpcError> ErrorTypeInfo = TypeInfo<JsonRpcError>();

    public static Task WriteErrorAsync(HttpContext context, int statusCode, int code, string message,
        RequestId id = default, JsonNode? data = null)
    {
        var error = new JsonRpcError
        {
            Id = id,
            Error = new JsonRpcErrorDetail { Code = code, Message = message, Data = data },
        };
        return WriteErrorAsync(context, statusCode, error);
    }

    public static Task WriteErrorAsync(HttpContext context, int statusCode, McpErrorCode code, string message,
        RequestId id = default, JsonNode? data = null) =>
        WriteErrorAsync(context, statusCode, (int)code, message, id, data);

    public static async Task WriteErrorAsync(HttpContext context, int statusCode, JsonRpcError error)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, error, ErrorTypeInfo, context.RequestAborted);
    }

    /// <summary>Headers of an SSE response; buffering off so each event leaves as soon as it is written.</summary>
    public static void StartEventStream(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.ContentType = "text/event-stream";
        headers.CacheControl = "no-cache,no-store";
        headers.ContentEncoding = "identity";
        headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
    }

    /// <summary>202 with no body: a notification or a client's answer was taken.</summary>
    public static void Accepted(HttpContext context)
    {
        context.Response.Headers.ContentType = default;
        context.Response.Headers.CacheControl = default;
        context.Response.Headers.ContentEncoding = default;
        context.Response.StatusCode = StatusCodes.Status202Accepted;
    }

    /// <summary>
    /// The HTTP status protocol 2026-07-28 gives a request whose first response is this JSON-RPC error; other
    /// codes keep 200 (the error rides the body).
    /// </summary>
    public static int StatusForPerRequestError(int code) => (McpErrorCode)code switch
    {
        McpErrorCode.MethodNotFound => StatusCodes.Status404NotFound,
        McpErrorCode.InvalidParams or McpErrorCode.HeaderMismatch or McpErrorCode.MissingRequiredClientCapability
            or McpErrorCode.UnsupportedProtocolVersion => StatusCodes.Status400BadRequest,
        _ => StatusCodes.Status200OK,
    };

    private static JsonTypeInfo<T> TypeInfo<T>() => (JsonTypeInfo<T>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(T));
}

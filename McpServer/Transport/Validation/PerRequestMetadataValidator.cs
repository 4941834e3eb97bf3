using System.Buffers;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Prynai.McpServer.Transport.Validation;

/// <summary>
/// The HTTP-level rules of protocol 2026-07-28 that the SDK leaves to the host: the MCP-Protocol-Version header
/// agrees with <c>_meta</c>, <c>Mcp-Method</c>/<c>Mcp-Name</c> and <c>Mcp-Param-*</c> (<see cref="ParameterHeaderValidator"/>)
/// agree with the body, capabilities are present, and the RPCs that revision removed are refused.
/// </summary>
internal static class PerRequestMetadataValidator
{
    private static readonly SearchValues<char> HeaderValueChars =
        SearchValues.Create("\t !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");

#pragma warning disable MCP9005 // logging/setLevel is named only to refuse it on the revision that removed it.
    private static readonly HashSet<string> RemovedMethods = new(StringComparer.Ordinal)
    {
        RequestMethods.Initialize, RequestMethods.Ping, RequestMethods.LoggingSetLevel,
        RequestMethods.ResourcesSubscribe, RequestMethods.ResourcesUnsubscribe,
    };
#pragma warning restore MCP9005

    /// <summary>Whether this revision removed the request's method (it gets 404 -32601 whatever its params).</summary>
    public static bool IsRemovedMethod(JsonRpcMessage message) => message is JsonRpcRequest request && RemovedMethods.Contains(request.Method);

    /// <summary>The <c>_meta</c> protocol version a request or notification declares, if any.</summary>
    public static string? MetaProtocolVersion(JsonRpcMessage message) =>
        Params(message) is JsonObject parameters
        && parameters["_meta"] is JsonObject meta
        && meta[MetaKeys.ProtocolVersion] is JsonValue value
        && value.TryGetValue(out string? version)
            ? version
            : null;

    /// <summary>Returns null when the request may proceed, else the HTTP status and JSON-RPC error to answer.</summary>
    public static (int Status, McpErrorCode Code, string Message)? Validate(
        HttpRequest request, JsonRpcMessage message, string? headerVersion, McpServerPrimitiveCollection<McpServerTool>? tools)
    {
        if (message is not (JsonRpcRequest or JsonRpcNotification))
        {
            return null;
        }

        var metaVersion = MetaProtocolVersion(message);
        if (string.IsNullOrEmpty(headerVersion))
        {
            return (400, McpErrorCode.HeaderMismatch,
                $"The {McpHttpHeaders.ProtocolVersion} header is required when _meta declares protocol version '{metaVersion}'.");
        }
        if (metaVersion is null)
        {
            if (message is JsonRpcRequest)
            {
                return (400, McpErrorCode.InvalidParams,
                    $"Requests on protocol version '{headerVersion}' must carry params._meta[\"{MetaKeys.ProtocolVersion}\"].");
            }
        }
        else if (!string.Equals(metaVersion, headerVersion, StringComparison.Ordinal))
        {
            return (400, McpErrorCode.HeaderMismatch,
                $"The {McpHttpHeaders.ProtocolVersion} header '{headerVersion}' does not match params._meta protocol version '{metaVersion}'.");
        }

        if ((ValidateStandardHeaders(request, message) ?? ParameterHeaderValidator.Validate(request, message, tools)) is { } headerError)
        {
            return (400, McpErrorCode.HeaderMismatch, headerError);
        }

        if (message is JsonRpcRequest jsonRpcRequest)
        {
            if (RemovedMethods.Contains(jsonRpcRequest.Method))
            {
                return (404, McpErrorCode.MethodNotFound,
                    $"Method '{jsonRpcRequest.Method}' does not exist on protocol version '{headerVersion}'.");
            }
            if (jsonRpcRequest.Params is not JsonObject { } p || p["_meta"] is not JsonObject meta || meta[MetaKeys.ClientCapabilities] is not JsonObject)
            {
                return (400, McpErrorCode.InvalidParams,
                    $"Requests on protocol version '{headerVersion}' must carry params._meta[\"{MetaKeys.ClientCapabilities}\"] as an object.");
            }
        }
        return null;
    }

    private static string? ValidateStandardHeaders(HttpRequest request, JsonRpcMessage message)
    {
        var method = message is JsonRpcRequest r ? r.Method : ((JsonRpcNotification)message).Method;
        if (!request.Headers.TryGetValue(McpHttpHeaders.Method, out var methodHeader))
        {
            return $"The {McpHttpHeaders.Method} header is required.";
        }
        if (!string.Equals(methodHeader.ToString().Trim(), method, StringComparison.Ordinal))
        {
            return $"The {McpHttpHeaders.Method} header '{methodHeader}' does not match the body's method '{method}'.";
        }

        var nameProperty = method switch
        {
            RequestMethods.ToolsCall or RequestMethods.PromptsGet => "name",
            RequestMethods.ResourcesRead => "uri",
            "tasks/get" or "tasks/update" or "tasks/cancel" => "taskId", // io.modelcontextprotocol/tasks routing (SEP-2663)
            _ => null,
        };
        if (nameProperty is null)
        {
            return null;
        }
        if (!request.Headers.TryGetValue(McpHttpHeaders.Name, out var nameHeader))
        {
            return $"The {McpHttpHeaders.Name} header is required for {method}.";
        }
        var raw = nameHeader.ToString().Trim();
        if (raw.AsSpan().IndexOfAnyExcept(HeaderValueChars) >= 0)
        {
            return $"The {McpHttpHeaders.Name} header contains characters not allowed in a header; Base64-encode it as =?base64?…?=.";
        }
        var decoded = McpHeaderEncoder.DecodeValue(raw);
        if (decoded is null)
        {
            return $"The {McpHttpHeaders.Name} header has an invalid Base64 encoding.";
        }
        var bodyValue = Params(message) is JsonObject parameters && parameters[nameProperty] is JsonValue v && v.TryGetValue(out string? s) ? s : null;
        return string.Equals(decoded, bodyValue, StringComparison.Ordinal)
            ? null
            : $"The {McpHttpHeaders.Name} header '{raw}' does not match the body's {nameProperty} '{bodyValue}'.";
    }

    private static JsonNode? Params(JsonRpcMessage message) => message switch
    {
        JsonRpcRequest request => request.Params,
        JsonRpcNotification notification => notification.Params,
        _ => null,
    };
}

using System.Buffers;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace Prynai.McpServer.Transport;

/// <summary>The outcome of reading a POST body: a message, or the HTTP status and JSON-RPC error to answer.</summary>
internal readonly record struct JsonRpcReadResult(JsonRpcMessage? Message, int StatusCode, int ErrorCode, string? Error)
{
    public static JsonRpcReadResult Failure(int statusCode, McpErrorCode code, string error) => new(null, statusCode, (int)code, error);
}

/// <summary>
/// Reads one JSON-RPC message from a POST body, within a size limit, and classifies every way it can be wrong
/// (too large, not JSON, a batch, not JSON-RPC 2.0) so the client gets the precise error instead of a 500.
/// </summary>
internal static class JsonRpcRequestReader
{
    public static async Task<JsonRpcReadResult> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return TooLarge(maxBytes);
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(request.ContentLength ?? 4096, maxBytes) + 1);
        try
        {
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > maxBytes)
                    {
                        return TooLarge(maxBytes);
                    }
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, maxBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0)
                {
                    break;
                }
                length += read;
                if (length > maxBytes)
                {
                    return TooLarge(maxBytes);
                }
            }
            return Parse(buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    internal static JsonRpcReadResult Parse(ReadOnlySpan<byte> body)
    {
        var trimmed = body.Trim(" \t\r\n"u8);
        if (trimmed.IsEmpty)
        {
            return JsonRpcReadResult.Failure(StatusCodes.Status400BadRequest, McpErrorCode.InvalidRequest, "The request body is empty; send one JSON-RPC message.");
        }
        if (trimmed[0] == (byte)'[')
        {
            return JsonRpcReadResult.Failure(StatusCodes.Status400BadRequest, McpErrorCode.InvalidRequest,
                "JSON-RPC batches are not supported; send one message per request.");
        }

        try
        {
            var message = JsonSerializer.Deserialize(trimmed, JsonRpcHttpResponses.MessageTypeInfo);
            if (message is null)
            {
                return JsonRpcReadResult.Failure(StatusCodes.Status400BadRequest, McpErrorCode.InvalidRequest, "The request body is not a JSON-RPC message.");
            }
            if (message.JsonRpc != "2.0")
            {
                return JsonRpcReadResult.Failure(StatusCodes.Status400BadRequest, McpErrorCode.InvalidRequest, "Only JSON-RPC version \"2.0\" is supported.");
            }
            return new JsonRpcReadResult(message, StatusCodes.Status200OK, 0, null);
        }
        catch (JsonException ex)
        {
            return Classify(trimmed, ex);
        }
    }

    /// <summary>Tells "not JSON" (-32700) from "JSON, but not a valid JSON-RPC message" (-32600).</summary>
    private static JsonRpcReadResult Classify(ReadOnlySpan<byte> body, JsonException parseError)
    {
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            var root = document.RootElement;
            var detail = root.ValueKind != JsonValueKind.Object
                ? "a JSON-RPC message must be a JSON object"
                : !root.TryGetProperty("jsonrpc", out var version) || version.ValueKind != JsonValueKind.String || version.GetString() != "2.0"
                    ? "\"jsonrpc\" must be \"2.0\""
                    : "it needs a \"method\" (request or notification) or a \"result\"/\"error\" with an \"id\" (response)";
            return JsonRpcReadResult.Failure(StatusCodes.Status400BadRequest, McpErrorCode.InvalidRequest, $"Invalid JSON-RPC message: {detail}.");
        }
        catch (JsonException)
        {
            var position = parseError.LineNumber is { } line ? $" (line {line + 1}, byte {parseError.BytePositionInLine + 1})" : "";
            return JsonRpcReadResult.Failure(StatusCodes.Status400BadRequest, McpErrorCode.ParseError, $"The request body is not valid JSON{position}.");
        }
    }

    private static JsonRpcReadResult TooLarge(long maxBytes) => JsonRpcReadResult.Failure(
        StatusCodes.Status413PayloadTooLarge, McpErrorCode.InvalidRequest, $"The request body exceeds the limit of {maxBytes} bytes.");
}

using System.Buffers;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace Prynai.McpServer.Transport.Validation;

/// <summary>The outcome of reading a POST body: a message, or the HTTP status and JSON-RPC error to answer.</summary>
internal readonly record struct JsonRpcReadResult(JsonRpcMessage? Message, int StatusCode, int ErrorCode, string? Error, RequestId Id = default)
{
    public static JsonRpcReadResult Failure(int statusCode, McpErrorCode code, string error) => new(null, statusCode, (int)code, error);
}

/// <summary>
/// Reads one JSON-RPC message from a POST body, within a size limit, and classifies every way it can be wrong
/// (too large, framing the server cannot read, not JSON, not Unicode text, a batch, not JSON-RPC 2.0) so the client
/// gets the precise error instead of a 500.
/// </summary>
internal static class JsonRpcRequestReader
{
    public static async Task<JsonRpcReadResult> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadBodyAsync(request, maxBytes, cancellationToken);
        }
        catch (Exception ex) when (BodyReadFailure(ex) is { } failure)
        {
            // Broken framing (a chunk size that overflows or is not hexadecimal, a body that ends before its
            // Content-Length): Kestrel already knows it is the client's fault and says so in the exception.
            return failure;
        }
    }

    private static JsonRpcReadResult? BodyReadFailure(Exception exception) => exception switch
    {
        BadHttpRequestException bad => JsonRpcReadResult.Failure(bad.StatusCode, McpErrorCode.InvalidRequest, $"The request body could not be read: {bad.Message}"),
        IOException { InnerException: BadHttpRequestException bad } => JsonRpcReadResult.Failure(bad.StatusCode, McpErrorCode.InvalidRequest, $"The request body could not be read: {bad.Message}"),
        IOException io => JsonRpcReadResult.Failure(StatusCodes.Status400BadRequest, McpErrorCode.InvalidRequest, $"The request body could not be read: {io.Message}"),
        _ => null,
    };

    private static async Task<JsonRpcReadResult> ReadBodyAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
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

        if (JsonTextValidator.Validate(trimmed) is { } problem)
        {
            return TextProblem(trimmed, problem);
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

    /// <summary>
    /// Text that is not UTF-8 is not JSON (-32700); invalid Unicode or a repeated property inside <c>params</c> is the
    /// caller's arguments being wrong (-32602, answered with the request's id); anywhere else the message is invalid (-32600).
    /// </summary>
    private static JsonRpcReadResult TextProblem(ReadOnlySpan<byte> body, JsonTextProblem problem)
    {
        var where = problem.Path.Length == 0 ? "The request" : $"The value at {problem.Path}";
        if (problem.IsEncodingError)
        {
            return JsonRpcReadResult.Failure(StatusCodes.Status400BadRequest, McpErrorCode.ParseError,
                $"The request body is not valid JSON: {where} {problem.Problem}.");
        }
        if (problem.InParams)
        {
            return new JsonRpcReadResult(null, StatusCodes.Status400BadRequest, (int)McpErrorCode.InvalidParams,
                $"Invalid params: {where} {problem.Problem}.", IdOf(body));
        }
        return new JsonRpcReadResult(null, StatusCodes.Status400BadRequest, (int)McpErrorCode.InvalidRequest,
            $"Invalid JSON-RPC message: {where} {problem.Problem}.", IdOf(body));
    }

    /// <summary>The message's id when it is a valid one (string or integer), so an error can answer it.</summary>
    private static RequestId IdOf(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return default;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isId = reader.ValueTextEquals("id"u8);
                reader.Read();
                if (isId)
                {
                    return reader.TokenType switch
                    {
                        JsonTokenType.Number when reader.TryGetInt64(out var number) => new RequestId(number),
                        JsonTokenType.String => new RequestId(reader.GetString()!),
                        _ => default,
                    };
                }
                reader.Skip();
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
        }
        return default;
    }

    /// <summary>Tells "not JSON" (-32700) from "JSON, but not a valid JSON-RPC message" (-32600), naming the member that is wrong.</summary>
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
                    : root.TryGetProperty("id", out var id) && !IsValidId(id)
                        ? $"\"id\" must be a string or an integer, not {Describe(id)}"
                        : root.TryGetProperty("method", out var method) && method.ValueKind != JsonValueKind.String
                            ? $"\"method\" must be a string, not {Describe(method)}"
                            : root.TryGetProperty("params", out var parameters) && parameters.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.Null)
                                ? $"\"params\" must be an object, not {Describe(parameters)}"
                                : "it needs a \"method\" (request or notification) or a \"result\"/\"error\" with an \"id\" (response)";
            return JsonRpcReadResult.Failure(StatusCodes.Status400BadRequest, McpErrorCode.InvalidRequest, $"Invalid JSON-RPC message: {detail}.");
        }
        catch (JsonException)
        {
            var position = parseError.LineNumber is { } line ? $" (line {line + 1}, byte {parseError.BytePositionInLine + 1})" : "";
            return JsonRpcReadResult.Failure(StatusCodes.Status400BadRequest, McpErrorCode.ParseError, $"The request body is not valid JSON{position}.");
        }
    }

    private static bool IsValidId(JsonElement id) =>
        id.ValueKind == JsonValueKind.String || id.ValueKind == JsonValueKind.Number && id.TryGetInt64(out _);

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.String => "a string",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "an array",
        _ => "an object",
    };

    private static JsonRpcReadResult TooLarge(long maxBytes) => JsonRpcReadResult.Failure(
        StatusCodes.Status413PayloadTooLarge, McpErrorCode.InvalidRequest, $"The request body exceeds the limit of {maxBytes} bytes.");
}

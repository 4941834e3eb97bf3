using System.Buffers;

namespace Prynai.McpServer.Transport.Stateless;

/// <summary>
/// The response body the SDK's transport writes its SSE events into, for a POST. Most requests produce exactly one
/// message — their result or error — and the protocol lets the server answer those with a plain <c>application/json</c>
/// body: smaller, with a Content-Length, no chunked framing, and (on 2026-07-28) the HTTP status the error maps to.
/// So the first event is held back; a second event (a progress notification, a log message, a request to the client)
/// switches the response to <c>text/event-stream</c> and everything streams from then on, in order. The SDK's early
/// header flush is ignored while undecided: for a request that writes nothing for a while, the headers leave with
/// its first message.
/// </summary>
internal sealed class SingleMessageResponse(HttpContext context, bool mapErrorsToStatus) : Stream
{
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();

    private readonly Stream _body = context.Response.Body;
    private ArrayBufferWriter<byte>? _held;
    private bool _streaming;

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_streaming)
        {
            await _body.WriteAsync(buffer, cancellationToken);
            return;
        }
        _held ??= new ArrayBufferWriter<byte>(512);
        var completeBefore = HoldsCompleteEvent();
        _held.Write(buffer.Span);
        // A second event, or a first one that is not a response (a notification or a request to the client, which
        // more will follow), makes this an event stream at once: progress must not wait for the next step.
        if (completeBefore || (HoldsCompleteEvent() && !(TryGetData(_held.WrittenSpan, out var start, out var length)
            && IsResponse(_held.WrittenSpan.Slice(start, length)))))
        {
            await StartStreamingAsync(cancellationToken);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) =>
        _streaming ? _body.FlushAsync(cancellationToken) : Task.CompletedTask;

    /// <summary>
    /// Sends what is held once the SDK has written everything: the one message as JSON. Returns false when nothing
    /// was written at all (a notification or a response: the caller answers 202).
    /// </summary>
    public async Task<bool> CompleteAsync(CancellationToken cancellationToken)
    {
        if (_streaming)
        {
            return true;
        }
        if (_held is not { WrittenCount: > 0 } held)
        {
            return false;
        }
        if (!TryGetData(held.WrittenSpan, out var start, out var length))
        {
            // Not the one-event shape this expects: pass it on as the SDK wrote it.
            await StartStreamingAsync(cancellationToken);
            return true;
        }
        var json = held.WrittenMemory.Slice(start, length);
        var response = context.Response;
        if (mapErrorsToStatus && ErrorCode(json.Span) is { } code)
        {
            response.StatusCode = JsonRpcHttpResponses.StatusForPerRequestError(code);
        }
        response.ContentType = "application/json";
        response.ContentLength = json.Length;
        await _body.WriteAsync(json, cancellationToken);
        return true;
    }

    private async Task StartStreamingAsync(CancellationToken cancellationToken)
    {
        _streaming = true;
        JsonRpcHttpResponses.StartEventStream(context);
        if (_held is { WrittenCount: > 0 } held)
        {
            await _body.WriteAsync(held.WrittenMemory, cancellationToken);
            held.Clear();
        }
        await _body.FlushAsync(cancellationToken);
    }

    private bool HoldsCompleteEvent() => _held is { WrittenCount: > 0 } held && held.WrittenSpan.EndsWith(EventEnd);

    /// <summary>The data of the one event held: <c>event: message\ndata: {json}\n\n</c>, the JSON on a single line.</summary>
    private static bool TryGetData(ReadOnlySpan<byte> held, out int start, out int length)
    {
        start = length = 0;
        if (!held.EndsWith(EventEnd) || held[..^EventEnd.Length].IndexOf(EventEnd) >= 0)
        {
            return false;
        }
        var at = held.StartsWith(DataPrefix) ? 0 : held.IndexOf("\ndata: "u8) is >= 0 and var i ? i + 1 : -1;
        if (at < 0)
        {
            return false;
        }
        start = at + DataPrefix.Length;
        var end = held.Length - EventEnd.Length;
        if (held[start..end].IndexOf((byte)'\n') >= 0)
        {
            return false; // data spread over several lines: not a single JSON line
        }
        length = end - start;
        return true;
    }

    /// <summary>A result or an error: no <c>method</c> member (the SDK writes it first when there is one).</summary>
    private static bool IsResponse(ReadOnlySpan<byte> json)
    {
        var reader = new System.Text.Json.Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != System.Text.Json.JsonTokenType.StartObject)
        {
            return false;
        }
        while (reader.Read() && reader.TokenType == System.Text.Json.JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("method"u8))
            {
                return false;
            }
            if (reader.ValueTextEquals("result"u8) || reader.ValueTextEquals("error"u8))
            {
                return json.IndexOf("\"method\""u8) < 0 || !HasTopLevelMethod(ref reader);
            }
            reader.Read();
            reader.Skip();
        }
        return false;
    }

    /// <summary>Reads on from a result or error member: is there a <c>method</c> member after it, at the top level?</summary>
    private static bool HasTopLevelMethod(ref System.Text.Json.Utf8JsonReader reader)
    {
        do
        {
            if (reader.TokenType == System.Text.Json.JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("method"u8))
            {
                return true;
            }
            reader.Read();
            reader.Skip();
        }
        while (reader.Read() && reader.TokenType == System.Text.Json.JsonTokenType.PropertyName);
        return false;
    }

    /// <summary>The JSON-RPC error code when the message is an error response, else null.</summary>
    private static int? ErrorCode(ReadOnlySpan<byte> json)
    {
        if (json.IndexOf("\"error\""u8) < 0)
        {
            return null;
        }
        var reader = new System.Text.Json.Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != System.Text.Json.JsonTokenType.StartObject)
        {
            return null;
        }
        while (reader.Read() && reader.TokenType == System.Text.Json.JsonTokenType.PropertyName)
        {
            if (reader.CurrentDepth == 1 && reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                while (reader.Read() && reader.CurrentDepth >= 2)
                {
                    if (reader.CurrentDepth == 2 && reader.TokenType == System.Text.Json.JsonTokenType.PropertyName && reader.ValueTextEquals("code"u8))
                    {
                        return reader.Read() && reader.TryGetInt32(out var code) ? code : null;
                    }
                    if (reader.TokenType is System.Text.Json.JsonTokenType.StartObject or System.Text.Json.JsonTokenType.StartArray && reader.CurrentDepth > 2)
                    {
                        reader.Skip();
                    }
                }
                return null;
            }
            reader.Read();
            reader.Skip();
        }
        return null;
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("Writes are asynchronous.");
}

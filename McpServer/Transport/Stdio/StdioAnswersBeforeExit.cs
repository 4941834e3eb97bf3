using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Prynai.McpServer.Transport.Stdio;

/// <summary>
/// A stdio client may send a request and close stdin at once (<c>echo '{…}' | prynai --stdio</c>). The SDK's stdio
/// transport treats end of input as disconnection and silently drops every answer written after it, so such a client
/// got nothing. Here end of input reaches the transport only once every request read so far has been answered (or
/// <see cref="DrainTimeout"/> has passed: a request that waits on the client — sampling — cannot complete any more).
/// </summary>
internal sealed class StdioAnswersBeforeExit
{
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);

    /// <summary>A line read but never seen by the filters (the SDK could not parse it) stops counting after this long.</summary>
    private static readonly TimeSpan Settled = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, byte> _pending = new(StringComparer.Ordinal);
    private long _linesRead;
    private long _messagesSeen;
    private long _lastActivity = Environment.TickCount64;
    private readonly TaskCompletionSource _serving = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// The SDK's transport reads stdin from the moment it is created, long before the server is serving: a line
    /// cannot count as settled before the server could have seen it.
    /// </summary>
    public void ServerStarted()
    {
        Touch();
        _serving.TrySetResult();
    }

    /// <summary>stdin, whose end is reported only after the answers.</summary>
    public Stream Input(Stream stdin) => new DrainingInput(stdin, this);

    /// <summary>Incoming filter: a request is pending from the moment it is read; a cancellation ends it (it gets no answer).</summary>
    public McpMessageHandler TrackIncoming(McpMessageHandler next) => (context, cancellationToken) =>
    {
        switch (context.JsonRpcMessage)
        {
            case JsonRpcRequest request:
                _pending.TryAdd(request.Id.ToString(), 0);
                break;
            case JsonRpcNotification { Method: NotificationMethods.CancelledNotification, Params: JsonObject parameters }
                when parameters["requestId"] is JsonValue id:
                _pending.TryRemove(id.ToString(), out _);
                break;
        }
        Interlocked.Increment(ref _messagesSeen);
        Touch();
        return next(context, cancellationToken);
    };

    /// <summary>Outgoing filter: a request ends once its answer has been written.</summary>
    public McpMessageHandler TrackOutgoing(McpMessageHandler next) => async (context, cancellationToken) =>
    {
        try
        {
            await next(context, cancellationToken);
        }
        finally
        {
            if (context.JsonRpcMessage is JsonRpcResponse or JsonRpcError)
            {
                _pending.TryRemove(((JsonRpcMessageWithId)context.JsonRpcMessage).Id.ToString(), out _);
            }
            Touch();
        }
    };

    private void Touch() => Volatile.Write(ref _lastActivity, Environment.TickCount64);

    /// <summary>
    /// Every line read has reached the server (or settled: a line the SDK could not parse never will) and every
    /// request among them has its answer written — or the drain timeout passed.
    /// </summary>
    private async Task WhenAnsweredAsync(CancellationToken cancellationToken)
    {
        await _serving.Task.WaitAsync(cancellationToken);
        var deadline = Environment.TickCount64 + (long)DrainTimeout.TotalMilliseconds;
        while (Environment.TickCount64 < deadline)
        {
            var allSeen = Interlocked.Read(ref _messagesSeen) >= Interlocked.Read(ref _linesRead)
                          || Environment.TickCount64 - Volatile.Read(ref _lastActivity) > Settled.TotalMilliseconds;
            if (allSeen && _pending.IsEmpty)
            {
                return;
            }
            await Task.Delay(20, cancellationToken);
        }
    }

    /// <summary>Counts the non-blank lines (messages) that pass, so the end waits for each to reach the server.</summary>
    private void Count(ReadOnlySpan<byte> bytes, ref bool lineHasContent)
    {
        foreach (var b in bytes)
        {
            if (b == (byte)'\n')
            {
                if (lineHasContent)
                {
                    Interlocked.Increment(ref _linesRead);
                }
                lineHasContent = false;
            }
            else if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
            {
                lineHasContent = true;
            }
        }
        Touch();
    }

    private sealed class DrainingInput(Stream inner, StdioAnswersBeforeExit answers) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        private bool _lineHasContent;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            if (read > 0)
            {
                answers.Count(buffer.Span[..read], ref _lineHasContent);
                return read;
            }
            if (buffer.Length == 0)
            {
                return 0;
            }
            if (_lineHasContent)
            {
                // A last message without its newline: end its line, so it is read before the end of input is.
                buffer.Span[0] = (byte)'\n';
                answers.Count("\n"u8, ref _lineHasContent);
                return 1;
            }
            await answers.WhenAnsweredAsync(cancellationToken);
            return 0;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}

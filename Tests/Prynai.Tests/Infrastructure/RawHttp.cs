using System.Net.Sockets;
using System.Text;

namespace Prynai.Tests.Infrastructure;

/// <summary>How a raw request frames its body.</summary>
public enum BodyFraming
{
    /// <summary>A correct Content-Length.</summary>
    ContentLength,

    /// <summary>Transfer-Encoding: chunked, correctly encoded.</summary>
    Chunked,

    /// <summary>A chunk size too large for any integer (Kestrel wraps the overflow in an IOException).</summary>
    ChunkSizeOverflow,

    /// <summary>A chunk size that is not hexadecimal.</summary>
    ChunkSizeNotHex,

    /// <summary>Content-Length larger than the body, then the client stops sending (body ends early).</summary>
    TruncatedBody,
}

/// <summary>An HTTP/1.1 request as exact bytes: header values and body may be anything, valid UTF-8 or not.</summary>
public sealed record RawHttpRequest(string Method, IReadOnlyList<(string Name, byte[] Value)> Headers, byte[] Body, BodyFraming Framing, string Description)
{
    public string Target { get; init; } = "/mcp";

    public byte[] ToBytes(string host)
    {
        using var bytes = new MemoryStream();
        void Write(string text) => bytes.Write(Encoding.ASCII.GetBytes(text));
        Write($"{Method} {Target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
        foreach (var (name, value) in Headers)
        {
            Write($"{name}: ");
            bytes.Write(value);
            Write("\r\n");
        }
        switch (Framing)
        {
            case BodyFraming.ContentLength:
                Write($"Content-Length: {Body.Length}\r\n\r\n");
                bytes.Write(Body);
                break;
            case BodyFraming.TruncatedBody:
                Write($"Content-Length: {Body.Length + 100}\r\n\r\n");
                bytes.Write(Body);
                break;
            case BodyFraming.Chunked:
                Write("Transfer-Encoding: chunked\r\n\r\n");
                var half = Body.Length / 2;
                foreach (var part in new[] { Body[..half], Body[half..] }.Where(part => part.Length > 0))
                {
                    Write($"{part.Length:x}\r\n");
                    bytes.Write(part);
                    Write("\r\n");
                }
                Write("0\r\n\r\n");
                break;
            case BodyFraming.ChunkSizeOverflow:
                Write("Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\n");
                bytes.Write(Body);
                Write("\r\n0\r\n\r\n");
                break;
            case BodyFraming.ChunkSizeNotHex:
                Write("Transfer-Encoding: chunked\r\n\r\nzz\r\n");
                bytes.Write(Body);
                Write("\r\n0\r\n\r\n");
                break;
        }
        return bytes.ToArray();
    }
}

/// <summary>What came back: the status (0 when the server closed without answering) and the body as text.</summary>
public sealed record RawHttpResponse(int Status, string Headers, string Body, bool StillOpen)
{
    public string? Header(string name) => Headers.Split("\r\n")
        .Where(line => line.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))
        .Select(line => line[(name.Length + 1)..].Trim())
        .FirstOrDefault();
}

/// <summary>Sends raw HTTP/1.1 requests over a fresh loopback connection each, so nothing validates them on the way.</summary>
public static class RawHttp
{
    public static async Task<RawHttpResponse> SendAsync(Uri server, RawHttpRequest request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port, cancellationToken);
        var stream = client.GetStream();
        await stream.WriteAsync(request.ToBytes($"{server.Host}:{server.Port}"), cancellationToken);
        if (request.Framing == BodyFraming.TruncatedBody)
        {
            client.Client.Shutdown(SocketShutdown.Send);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        var stillOpen = false;
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, deadline.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            stillOpen = true; // a stream the server keeps open (GET, subscriptions/listen), or a hang
        }
        catch (IOException)
        {
            // Reset by the server after answering (or without answering: status 0).
        }

        var bytes = received.ToArray();
        var headerEnd = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        var head = Encoding.ASCII.GetString(headerEnd < 0 ? bytes : bytes[..headerEnd]);
        var status = head.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) && head.Length >= 12 && int.TryParse(head.AsSpan(9, 3), out var code) ? code : 0;
        var content = headerEnd < 0 ? [] : bytes[(headerEnd + 4)..];
        if (head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            content = Dechunk(content);
        }
        var body = Encoding.UTF8.GetString(content);
        return new RawHttpResponse(status, head, body, stillOpen);
    }

    private static byte[] Dechunk(byte[] body)
    {
        var result = new MemoryStream();
        var position = 0;
        while (position < body.Length)
        {
            var lineEnd = body.AsSpan(position).IndexOf("\r\n"u8);
            if (lineEnd < 0 || !int.TryParse(Encoding.ASCII.GetString(body, position, lineEnd), System.Globalization.NumberStyles.HexNumber, null, out var size) || size == 0)
            {
                break;
            }
            var start = position + lineEnd + 2;
            var length = Math.Min(size, body.Length - start);
            result.Write(body, start, length);
            position = start + length + 2;
        }
        return result.ToArray();
    }
}

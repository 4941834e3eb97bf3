using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Prynai.Tests.Infrastructure;

/// <summary>A held-open SSE response (a session's GET stream, a subscriptions/listen POST), read one message at a time.</summary>
public sealed class SseStream : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;
    private readonly CancellationTokenSource _stop = new();
    private Task<string?>? _pendingLine;

    private SseStream(HttpResponseMessage response, StreamReader reader)
    {
        _response = response;
        _reader = reader;
    }

    public static async Task<SseStream> OpenAsync(HttpClient http, HttpRequestMessage request)
    {
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new SseStream(response, new StreamReader(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken), Encoding.UTF8));
    }

    /// <summary>The id of the last event read (a priming event included), as a reconnecting client sends it back.</summary>
    public string? LastEventId { get; private set; }

    /// <summary>Reads until an event id arrives (the priming event of a 2025-11-25 stream), or returns the one seen.</summary>
    public async Task<string> EventIdAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (LastEventId is null && DateTime.UtcNow < deadline)
        {
            _pendingLine ??= _reader.ReadLineAsync(_stop.Token).AsTask();
            if (await Task.WhenAny(_pendingLine, Task.Delay(deadline - DateTime.UtcNow, TestContext.Current.CancellationToken)) != _pendingLine)
            {
                break;
            }
            var line = await _pendingLine;
            _pendingLine = null;
            if (line is null)
            {
                break;
            }
            if (line.StartsWith("id:", StringComparison.Ordinal))
            {
                LastEventId = line[3..].Trim();
            }
        }
        return LastEventId ?? throw new TimeoutException("No event id arrived on the stream.");
    }

    public async Task<JsonObject> NextAsync() =>
        await NextAsync(TimeSpan.FromSeconds(10)) ?? throw new TimeoutException("No message arrived on the stream.");

    /// <summary>The next JSON-RPC message, or null if none arrives in time.</summary>
    public async Task<JsonObject?> NextAsync(TimeSpan timeout)
    {
        var deadline = Task.Delay(timeout, TestContext.Current.CancellationToken);
        while (true)
        {
            _pendingLine ??= _reader.ReadLineAsync(_stop.Token).AsTask();
            if (await Task.WhenAny(_pendingLine, deadline) == deadline)
            {
                return null;
            }
            var line = await _pendingLine;
            _pendingLine = null;
            if (line is null)
            {
                return null;
            }
            if (line.StartsWith("id:", StringComparison.Ordinal))
            {
                LastEventId = line[3..].Trim();
            }
            if (line.StartsWith("data:", StringComparison.Ordinal) && line.Length > 5)
            {
                return JsonNode.Parse(line[5..])!.AsObject();
            }
        }
    }

    /// <summary>The next message with this method, skipping others (e.g. a notification of an earlier change).</summary>
    public async Task<JsonObject> NextAsync(string method)
    {
        while (true)
        {
            var message = await NextAsync();
            if (message["method"]?.GetValue<string>() == method)
            {
                return message;
            }
        }
    }

    /// <summary>
    /// Reads (and drops) what is left until the server ends the stream; false when it is still open after
    /// <paramref name="timeout"/>. A connection the server resets throws (an <see cref="IOException"/>), as a client sees it.
    /// </summary>
    public async Task<bool> EndsWithinAsync(TimeSpan timeout)
    {
        var deadline = Task.Delay(timeout, TestContext.Current.CancellationToken);
        while (true)
        {
            _pendingLine ??= _reader.ReadLineAsync(_stop.Token).AsTask();
            if (await Task.WhenAny(_pendingLine, deadline) == deadline)
            {
                return false;
            }
            var line = await _pendingLine;
            _pendingLine = null;
            if (line is null)
            {
                return true;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _response.Dispose();
        _reader.Dispose();
    }
}

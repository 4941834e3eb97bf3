using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Prynai.Bench;

/// <summary>
/// The MCP calls the benchmark makes outside measured load, with HttpClient: opening 2025-11-25 sessions
/// (initialize, then notifications/initialized) and reading or setting the counter.
/// </summary>
internal sealed class McpSetupClient(Uri endpoint, string? token) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = BenchSettings.OpenParallelism })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>Opens <paramref name="count"/> sessions, <paramref name="parallelism"/> at a time; failures are counted, not thrown.</summary>
    public async Task<(List<string> Sessions, int Failed, string? FirstError)> OpenSessionsAsync(int count, int parallelism, CancellationToken cancellationToken)
    {
        var sessions = new List<string>(count);
        var failed = 0;
        string? firstError = null;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
            async (_, ct) =>
            {
                try
                {
                    var session = await OpenSessionAsync(ct);
                    lock (sessions)
                    {
                        sessions.Add(session);
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or TaskCanceledException && !ct.IsCancellationRequested)
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstError, ex.Message, null);
                }
            });
        return (sessions, failed, firstError);
    }

    /// <summary>initialize (2025-11-25) → Mcp-Session-Id, then notifications/initialized on it (202).</summary>
    public async Task<string> OpenSessionAsync(CancellationToken cancellationToken)
    {
        using var initialize = await PostAsync(McpRequests.Initialize, McpRequests.Headers(null, token), cancellationToken);
        var body = await initialize.Content.ReadAsStringAsync(cancellationToken);
        if (initialize.StatusCode != HttpStatusCode.OK || !initialize.Headers.TryGetValues("Mcp-Session-Id", out var ids))
        {
            throw new InvalidOperationException($"initialize: HTTP {(int)initialize.StatusCode} without a session: {Shorten(body)}");
        }
        var session = ids.First();
        var headers = McpRequests.Headers(McpRequests.Legacy, token, ("Mcp-Session-Id", session));
        using var initialized = await PostAsync(McpRequests.Initialized, headers, cancellationToken);
        if (initialized.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"notifications/initialized: HTTP {(int)initialized.StatusCode}, expected 202.");
        }
        return session;
    }

    /// <summary>
    /// One tools/call add on each session, <paramref name="parallelism"/> at a time: how long it took, and how many
    /// calls did not answer 5.
    /// </summary>
    public async Task<(double Seconds, int Failed)> CallAddOnEachAsync(IReadOnlyList<string> sessions, int parallelism, CancellationToken cancellationToken)
    {
        var failed = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Parallel.ForEachAsync(sessions, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
            async (session, ct) =>
            {
                try
                {
                    using var response = await PostAsync(McpRequests.LegacyAdd([], token).Body,
                        McpRequests.Headers(McpRequests.Legacy, token, ("Mcp-Session-Id", session)), ct);
                    var body = await response.Content.ReadAsStringAsync(ct);
                    if (response.StatusCode != HttpStatusCode.OK || !body.Contains(McpRequests.AddResult, StringComparison.Ordinal))
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
                {
                    Interlocked.Increment(ref failed);
                }
            });
        return (clock.Elapsed.TotalSeconds, failed);
    }

    /// <summary>The counter's value (resources/read prynai://counter, 2026-07-28).</summary>
    public async Task<long> ReadCounterAsync(CancellationToken cancellationToken)
    {
        var request = McpRequests.ReadCounter(token);
        var result = await CallAsync(request, cancellationToken);
        var text = result.GetProperty("contents")[0].GetProperty("text").GetString();
        return long.Parse(text ?? "", CultureInfo.InvariantCulture);
    }

    /// <summary>Sets the counter (tools/call set_counter, 2026-07-28).</summary>
    public async Task SetCounterAsync(long value, CancellationToken cancellationToken)
    {
        var request = McpRequests.StatelessToolCall("set_counter", $"{{\"value\":{value.ToString(CultureInfo.InvariantCulture)}}}", "\"value\":", token);
        var result = await CallAsync(request, cancellationToken);
        if (result.TryGetProperty("isError", out var isError) && isError.GetBoolean())
        {
            throw new InvalidOperationException($"set_counter failed: {result}");
        }
    }

    /// <summary>The HTTP status of a 2026-07-28 add sent without a token (auth-on runs check it is 401).</summary>
    public async Task<HttpStatusCode> StatusWithoutTokenAsync(CancellationToken cancellationToken)
    {
        var request = McpRequests.StatelessAdd(token: null);
        using var response = await PostAsync(request.Body, request.Headers, cancellationToken);
        return response.StatusCode;
    }

    /// <summary>A request answered with one SSE event (or plain JSON); returns the JSON-RPC result.</summary>
    private async Task<JsonElement> CallAsync(LoadRequest request, CancellationToken cancellationToken)
    {
        using var response = await PostAsync(request.Body, request.Headers, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var json = body.Split('\n').FirstOrDefault(line => line.StartsWith("data: ", StringComparison.Ordinal))?["data: ".Length..] ?? body;
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"HTTP {(int)response.StatusCode}: {Shorten(body)}");
        }
        using var document = JsonDocument.Parse(json);
        return document.RootElement.TryGetProperty("result", out var result)
            ? result.Clone()
            : throw new InvalidOperationException($"No result: {Shorten(body)}");
    }

    private async Task<HttpResponseMessage> PostAsync(string body, IReadOnlyList<KeyValuePair<string, string>> headers, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent(body) };
        foreach (var (name, value) in headers)
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(value);
            }
            else
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }
        return await _http.SendAsync(request, cancellationToken);
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    public void Dispose() => _http.Dispose();
}

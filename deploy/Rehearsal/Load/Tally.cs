using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Prynai.Rehearsal.Load;

/// <summary>What every client of the load counts: requests, client-visible failures, acknowledged counter bumps.</summary>
internal sealed class Tally
{
    private const int KeptFailures = 20;
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly ConcurrentQueue<long> _bumpsSentAt = new();
    private long _requests;
    private long _failureCount;
    private long _bumpsUnknown;

    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    /// <summary>
    /// What a load client's calls are cancelled by: nothing but the client's timeout. When the load stops, a call in
    /// flight is answered, not abandoned; an abandoned bump would change the counter without being acknowledged.
    /// </summary>
    public static CancellationToken UntilAnswered => CancellationToken.None;

    public long Requests => Interlocked.Read(ref _requests);

    public long Failures => Interlocked.Read(ref _failureCount);

    public IReadOnlyCollection<string> FailureSamples => _failures;

    public long BumpsAcknowledged => _bumpsSentAt.Count;

    /// <summary>Bumps whose outcome the client never learned (a cut request): the counter may or may not hold them.</summary>
    public long BumpsUnknown => Interlocked.Read(ref _bumpsUnknown);

    /// <summary>Requests answered per revision (prynai://server-info reads).</summary>
    public ConcurrentDictionary<string, long> AnsweredBy { get; } = new(StringComparer.Ordinal);

    public void Request() => Interlocked.Increment(ref _requests);

    public void Failure(string what)
    {
        if (Interlocked.Increment(ref _failureCount) <= KeptFailures)
        {
            _failures.Enqueue($"{Clock.Elapsed.TotalSeconds:0.0}s {what}");
        }
    }

    public void BumpAcknowledged(TimeSpan sentAt) => _bumpsSentAt.Enqueue(sentAt.Ticks);

    public void BumpUnknown() => Interlocked.Increment(ref _bumpsUnknown);

    /// <summary>Acknowledged bumps sent after <paramref name="since"/>: each one changed the counter a subscriber then follows.</summary>
    public long BumpsSentAfter(TimeSpan since) => _bumpsSentAt.Count(ticks => ticks > since.Ticks);

    /// <summary>
    /// One request, counted: the JSON-RPC result, or null after counting a client-visible failure (an HTTP error, a
    /// JSON-RPC error, a tool error, a cut connection).
    /// </summary>
    public async Task<JsonObject?> CallAsync(HttpClient http, HttpRequestMessage request, string what, CancellationToken cancellationToken)
    {
        Request();
        try
        {
            using (request)
            using (var response = await http.SendAsync(request, cancellationToken))
            {
                if (!response.IsSuccessStatusCode)
                {
                    Failure($"{what}: HTTP {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
                    return null;
                }
                var message = await McpWire.ResponseAsync(response, cancellationToken);
                if (message?["result"] is not JsonObject result)
                {
                    Failure($"{what}: {message?.ToJsonString() ?? "no JSON-RPC response"}");
                    return null;
                }
                if (result["isError"]?.GetValue<bool>() == true)
                {
                    Failure($"{what}: tool error {result["content"]?.ToJsonString()}");
                    return null;
                }
                return result;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException or System.Text.Json.JsonException)
        {
            Failure($"{what}: {ex.GetType().Name} {ex.Message}{(ex.InnerException is { } inner ? $" ({inner.GetType().Name}: {inner.Message})" : "")}");
            return null;
        }
    }
}

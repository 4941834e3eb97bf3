using System.Collections.Concurrent;

namespace Prynai.McpServer.Transport.Validation;

/// <summary>
/// Remembers the verdict on header values clients send over and over (a client's Accept and Content-Type never
/// change), so a call does not parse the same media types again. Bounded: unusual values are just parsed each time.
/// </summary>
internal static class HeaderVerdicts
{
    private const int MaxRemembered = 256;

    public static readonly ConcurrentDictionary<string, bool> IsJson = new(StringComparer.Ordinal);
    public static readonly ConcurrentDictionary<string, bool> AcceptsJson = new(StringComparer.Ordinal);
    public static readonly ConcurrentDictionary<string, bool> AcceptsEventStream = new(StringComparer.Ordinal);

    public static bool Get(ConcurrentDictionary<string, bool> verdicts, string value, Func<string, bool> check)
    {
        if (verdicts.TryGetValue(value, out var verdict))
        {
            return verdict;
        }
        verdict = check(value);
        if (verdicts.Count < MaxRemembered)
        {
            verdicts.TryAdd(value, verdict);
        }
        return verdict;
    }
}

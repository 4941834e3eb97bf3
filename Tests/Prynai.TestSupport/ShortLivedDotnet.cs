namespace Prynai.TestSupport;

/// <summary>How the .NET processes a test starts (servers, the smoke client, PowerShell) compile their code.</summary>
public static class ShortLivedDotnet
{
    /// <summary>
    /// A process that lives seconds: every method stays at tier 0 (quick JIT) and is never compiled again, and no
    /// profile is gathered for a later tier. Measured for the server, start + 100 tool calls: 2.0–2.3 s of CPU with
    /// tiered compilation off, 3.5 s with the defaults, 1.2 s this way; the smoke command 1.4 s, 0.65 s, 0.6 s; PowerShell
    /// (ReadyToRun already) 1.25 → 1.15 s. Never for the benchmark's servers: their code has to reach its optimised tier.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Environment { get; } = new Dictionary<string, string>
    {
        ["DOTNET_TC_CallCounting"] = "0",
        ["DOTNET_TieredPGO"] = "0",
    };
}

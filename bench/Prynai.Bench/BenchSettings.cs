namespace Prynai.Bench;

/// <summary>The scenarios of the issue, a–e and g, plus the opt-in soak (f); <c>--only</c> takes their letters or names.</summary>
internal enum Scenario
{
    Stateless,
    Sessions,
    Counter,
    References,
    IdleSessions,
    Soak,
    ColdStart,
}

/// <summary>What one benchmark run does: load settings, counts, scenarios, output file.</summary>
internal sealed record BenchSettings(
    bool Smoke,
    int Threads,
    int Connections,
    int DurationSeconds,
    int WarmupSeconds,
    int IdleSessions,
    int SoakSeconds,
    int ColdStarts,
    IReadOnlySet<Scenario> Scenarios,
    string OutputPath,
    string? ChartPath,
    BenchPaths Paths)
{
    /// <summary>Sessions the multi-session runs cycle over.</summary>
    public const int ManySessions = 32;

    /// <summary>Requests in flight while opening sessions.</summary>
    public const int OpenParallelism = 64;

    public static readonly IReadOnlyDictionary<string, Scenario> ScenarioNames = new Dictionary<string, Scenario>(StringComparer.OrdinalIgnoreCase)
    {
        ["a"] = Scenario.Stateless, ["stateless"] = Scenario.Stateless,
        ["b"] = Scenario.Sessions, ["sessions"] = Scenario.Sessions,
        ["c"] = Scenario.Counter, ["counter"] = Scenario.Counter,
        ["d"] = Scenario.References, ["references"] = Scenario.References,
        ["e"] = Scenario.IdleSessions, ["idle"] = Scenario.IdleSessions,
        ["f"] = Scenario.Soak, ["soak"] = Scenario.Soak,
        ["g"] = Scenario.ColdStart, ["coldstart"] = Scenario.ColdStart,
    };

    public bool Runs(Scenario scenario) => Scenarios.Contains(scenario);

    /// <summary>Parses <c>--only</c> ("a,c" or "stateless,counter"); null with the unknown name when one is not known.</summary>
    public static (IReadOnlySet<Scenario>? Scenarios, string? Unknown) ParseScenarios(string? only)
    {
        if (string.IsNullOrWhiteSpace(only))
        {
            // The soak takes minutes of its own: it runs only when asked for.
            return (Enum.GetValues<Scenario>().Where(scenario => scenario != Scenario.Soak).ToHashSet(), null);
        }
        var selected = new HashSet<Scenario>();
        foreach (var name in only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!ScenarioNames.TryGetValue(name, out var scenario))
            {
                return (null, name);
            }
            selected.Add(scenario);
        }
        return (selected, null);
    }
}

/// <summary>Where the built servers, the reference script and the wrk script are, found from the repository root.</summary>
internal sealed record BenchPaths(string Root)
{
    /// <summary>The server's assembly; its apphost (what the container image starts) has the same name without ".dll".</summary>
    public const string ServerAssembly = "Prynai.McpServer.dll";

    public string PrynaiServer => Path.Combine(Root, "McpServer", "bin", "Release", "net10.0", ServerAssembly);

    public string RawEndpoint => Path.Combine(Root, "bench", "RawEndpoint", "bin", "Release", "net10.0", "Prynai.Bench.RawEndpoint.dll");

    public string MapMcpHost => Path.Combine(Root, "bench", "MapMcpHost", "bin", "Release", "net10.0", "Prynai.Bench.MapMcpHost.dll");

    public string TypeScriptServer => Path.Combine(Root, "bench", "reference", "ts-server.mjs");

    public string NodeModules => Path.Combine(Root, "bench", "node_modules");

    public string LuaScript => Path.Combine(AppContext.BaseDirectory, "mcp-load.lua");

    public string ResultsDirectory => Path.Combine(Root, "bench", "results");

    /// <summary>Where bench/run.sh publishes the server for the cold start (g): ReadyToRun as the image ships it, or plain IL.</summary>
    public string PublishedServer(bool readyToRun) => Path.Combine(Root, "bench", "obj", "publish", readyToRun ? "readytorun" : "jit");

    /// <summary>The default chart of <c>--chart</c> without a path: the one docs/performance.md shows.</summary>
    public string DefaultChart => Path.Combine(Root, "docs", "images", "bench-ratios.svg");

    /// <summary>The first directory above this assembly holding Prynai.sln.</summary>
    public static BenchPaths Find() => new(RepositoryPaths.Root);

    /// <summary>The build outputs and packages run.sh prepares, with the ones missing (the publish folders only for the cold start).</summary>
    public IReadOnlyList<string> Missing(bool coldStart) =>
        new[] { PrynaiServer, RawEndpoint, MapMcpHost, TypeScriptServer, LuaScript, Path.Combine(NodeModules, "@modelcontextprotocol", "sdk") }
            .Concat(coldStart ? new[] { true, false }.Select(readyToRun => Path.Combine(PublishedServer(readyToRun), ServerAssembly)) : [])
            .Where(path => !File.Exists(path) && !Directory.Exists(path))
            .ToList();
}

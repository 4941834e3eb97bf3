namespace Prynai.TestSupport;

/// <summary>Where the repository's parts are, found from the running assembly's location (a test project's or the benchmark's output).</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Tests => Path.Combine(Root, "Tests");

    public static string NodeModules => Path.Combine(Tests, "node_modules");

    /// <summary>The Node 22 binary installed by Tests/package.json (the conformance suite needs Node 22).</summary>
    public static string Node22 => Path.Combine(NodeModules, "node", "bin", "node");

    /// <summary>The MCP Inspector's command line (Tests/package.json pins it), run with <see cref="Node22"/>.</summary>
    public static string InspectorCli => Path.Combine(NodeModules, "@modelcontextprotocol", "inspector", "clients", "launcher", "build", "index.js");

    /// <summary>The server's build output for the configuration the running assembly was built in (Debug for tests, Release for the benchmark).</summary>
    public static string ServerAssembly => ProjectAssembly("McpServer", "Prynai.McpServer.dll");

    public static string SmokeClientAssembly => ProjectAssembly("SmokeClient", "Prynai.SmokeClient.dll");

    /// <summary>The server with the conformance suite's fixtures (Tests/Prynai.ConformanceHost).</summary>
    public static string ConformanceHostAssembly => ProjectAssembly(Path.Combine("Tests", "Prynai.ConformanceHost"), "Prynai.ConformanceHost.dll");

    private static string ProjectAssembly(string project, string assembly)
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var path = Path.Combine(Root, project, "bin", configuration, "net10.0", assembly);
        return File.Exists(path) ? path : throw new FileNotFoundException($"Build {project} first; {path} is missing.", path);
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Prynai.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("Prynai.sln not found above " + AppContext.BaseDirectory);
    }
}

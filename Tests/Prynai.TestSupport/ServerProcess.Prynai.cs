using System.Diagnostics;

namespace Prynai.TestSupport;

/// <summary>The built Prynai server as a process: the settings every run shares, and the defaults of a test's server.</summary>
public sealed partial class ServerProcess
{
    /// <summary>
    /// What every Prynai process the tests and the benchmark start runs with: one loopback URL, the ASP.NET Core
    /// environment, its SQLite files (state and support desk) in <paramref name="stateDirectory"/>, and no probe of
    /// Azure's instance metadata address by the Cosmos DB client (nothing may leave loopback).
    /// </summary>
    public static void SetPrynaiEnvironment(ProcessStartInfo start, string scheme, int port, string aspnetEnvironment, string stateDirectory)
    {
        start.Environment["ASPNETCORE_URLS"] = $"{scheme}://127.0.0.1:{port}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = aspnetEnvironment;
        start.Environment["State__SqlitePath"] = Path.Combine(stateDirectory, "prynai.db");
        start.Environment["Support__SqlitePath"] = Path.Combine(stateDirectory, "contoso.db");
        start.Environment["COSMOS_DISABLE_IMDS_ACCESS"] = "true";
    }

    /// <summary>
    /// The server of this build (Development unless told otherwise) on a free port with its own state directory, a
    /// small support desk and short tool delays, waited for until /livez answers; <paramref name="environment"/> adds
    /// or overrides settings (<c>Section__Key</c>).
    /// </summary>
    public static async Task<ServerProcess> StartAsync(IDictionary<string, string?>? environment = null, string? stateDirectory = null,
        string aspnetEnvironment = "Development", int? port = null, bool waitHealthy = true, string scheme = "http", IEnumerable<string>? arguments = null,
        string? assembly = null)
    {
        var ownState = stateDirectory is null ? new TempDirectory("prynai-server") : null;
        stateDirectory ??= ownState!.Path;
        var listenPort = port ?? FreePort.Next();

        var start = new ProcessStartInfo("dotnet", [assembly ?? RepositoryPaths.ServerAssembly, .. arguments ?? []]) { WorkingDirectory = stateDirectory };
        SetPrynaiEnvironment(start, scheme, listenPort, aspnetEnvironment, stateDirectory);
        start.Environment["Support__CustomerCount"] = "5";
        start.Environment["Tools__StepDelay"] = "00:00:00.010";
        start.Environment["Support__TroubleshootStepDelay"] = "00:00:00.010";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in ShortLivedDotnet.Environment)
        {
            start.Environment[key] = value;
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[key] = value;
        }

        return await StartAsync("The server", start, listenPort, waitHealthy ? HttpReady("/livez", scheme) : null, CancellationToken.None,
            cleanup: ownState is null ? null : ownState.Dispose, scheme: scheme);
    }

    /// <summary>The server with the conformance suite's fixtures (Tests/Prynai.ConformanceHost) as a process.</summary>
    public static Task<ServerProcess> StartConformanceHostAsync(IDictionary<string, string?>? environment = null) =>
        StartAsync(environment, assembly: RepositoryPaths.ConformanceHostAssembly);
}

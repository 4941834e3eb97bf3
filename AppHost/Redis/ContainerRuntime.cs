using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace Prynai.AppHost;

/// <summary>Whether the container runtime DCP would use answers, and what it said: decides how F5 runs Redis.</summary>
internal sealed record ContainerRuntime(string Name, bool Answers, string Detail)
{
    /// <summary>Long enough for a daemon that is waking up; short enough that F5 does not feel stuck.</summary>
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);

    // One probe per runtime, PATH and process: the tests build several AppHosts in one process.
    private static readonly ConcurrentDictionary<(string Runtime, string Path), Lazy<ContainerRuntime>> Probes = new();

    /// <summary>
    /// Asks the runtime DCP is configured for (DcpPublisher:ContainerRuntime or ASPIRE_CONTAINER_RUNTIME, else docker)
    /// for `info`: a CLI without a daemon behind it (the usual state of a machine without Docker) fails that quickly.
    /// </summary>
    public static ContainerRuntime Probe(IConfiguration configuration)
    {
        var name = configuration["DcpPublisher:ContainerRuntime"] is { Length: > 0 } configured ? configured
            : configuration["ASPIRE_CONTAINER_RUNTIME"] is { Length: > 0 } fromEnvironment ? fromEnvironment
            : configuration["DOTNET_ASPIRE_CONTAINER_RUNTIME"] is { Length: > 0 } legacy ? legacy
            : "docker";
        var search = ExecutableSearch.SearchPath(configuration);
        return Probes.GetOrAdd((name.ToLowerInvariant(), search), key => new Lazy<ContainerRuntime>(() => Ask(name, key.Path))).Value;
    }

    private static ContainerRuntime Ask(string runtime, string search)
    {
        if (ExecutableSearch.Find(runtime, search) is not { } path)
        {
            return new ContainerRuntime(runtime, false, $"{runtime} is not on PATH");
        }
        var start = new ProcessStartInfo(path, ["info"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(ProbeTimeout))
            {
                process.Kill(entireProcessTree: true);
                return new ContainerRuntime(runtime, false, $"`{runtime} info` did not answer within {ProbeTimeout.TotalSeconds:0} s");
            }
            return process.ExitCode == 0
                ? new ContainerRuntime(runtime, true, $"`{runtime} info` answered")
                : new ContainerRuntime(runtime, false, $"`{runtime} info` failed: {FirstLine(error.Result) ?? FirstLine(output.Result) ?? $"exit code {process.ExitCode}"}");
        }
        catch (Exception exception) when (exception is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return new ContainerRuntime(runtime, false, $"`{runtime} info` could not start: {exception.Message}");
        }
    }

    private static string? FirstLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
}

using Microsoft.Extensions.Configuration;

namespace Prynai.AppHost;

/// <summary>Finds a program on PATH the way a shell would (with the Windows extensions on Windows).</summary>
internal static class ExecutableSearch
{
    /// <summary>
    /// The PATH the AppHost searches: the environment's (configuration holds every environment variable), which a
    /// command-line <c>--PATH</c> overrides — how the tests give an AppHost the PATH of another machine.
    /// </summary>
    public static string SearchPath(IConfiguration configuration) => configuration["PATH"] ?? Environment.GetEnvironmentVariable("PATH") ?? "";

    public static string? Find(string program, IConfiguration configuration) => Find(program, SearchPath(configuration));

    public static string? Find(string program, string search)
    {
        if (Path.IsPathRooted(program))
        {
            return File.Exists(program) ? program : null;
        }
        string[] extensions = OperatingSystem.IsWindows() ? [".exe", ".cmd", ".bat", ""] : [""];
        var directories = search.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return directories
            .SelectMany(directory => extensions.Select(extension => Path.Combine(directory, program + extension)))
            .FirstOrDefault(File.Exists);
    }
}

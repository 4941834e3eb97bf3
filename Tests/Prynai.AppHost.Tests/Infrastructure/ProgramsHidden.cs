namespace Prynai.AppHost.Tests.Infrastructure;

/// <summary>
/// The PATH of a machine that lacks some programs, built from this one's: a temporary directory of links to every
/// program on PATH except the hidden ones (nothing is uninstalled). Its <see cref="Path"/> is a PATH value.
/// </summary>
public sealed class ProgramsHidden : IDisposable
{
    /// <summary>What a machine with only the .NET SDK lacks: Redis, Node.js, and any container runtime.</summary>
    public static readonly string[] SdkOnlyMachine = ["redis-server", "node", "nodejs", "npm", "npx", "corepack", "docker", "podman"];

    private ProgramsHidden(string directory) => Path = directory;

    public string Path { get; }

    public static ProgramsHidden Create(params string[] hidden)
    {
        var directory = Directory.CreateTempSubdirectory("prynai-path").FullName;
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (var program in folders.Where(Directory.Exists).SelectMany(Directory.EnumerateFiles))
        {
            var name = System.IO.Path.GetFileName(program);
            var link = System.IO.Path.Combine(directory, name);
            // The first folder on PATH wins, as in a shell.
            if (!hidden.Contains(name, StringComparer.Ordinal) && !File.Exists(link) && IsExecutable(program))
            {
                File.CreateSymbolicLink(link, program);
            }
        }
        return new ProgramsHidden(directory);
    }

    private static bool IsExecutable(string file)
    {
        try
        {
            return OperatingSystem.IsWindows() || (File.GetUnixFileMode(file) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
        }
        catch (IOException)
        {
            return false; // a dangling link
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Links only; the OS cleans its temp folder.
        }
    }
}

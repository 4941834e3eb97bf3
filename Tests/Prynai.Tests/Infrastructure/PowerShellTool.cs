namespace Prynai.Tests.Infrastructure;

/// <summary>
/// PowerShell 7 for the deploy/rollout.ps1 tests: pwsh from PATH, else the PowerShell .NET tool in the repository's
/// git-ignored .tools/, installed there on first use (<c>dotnet tool install --tool-path .tools PowerShell --version
/// 7.6.10</c>; 7.7.0 does not install as a tool) — once per machine, under a file lock that parallel test processes
/// honour too. So the README's test command needs nothing but the .NET SDK for these tests.
/// </summary>
public static class PowerShellTool
{
    public const string Version = "7.6.10";

    private static readonly Lazy<Task<string>> Installed = new(InstallAsync);

    public static string ToolPath => Path.Combine(RepositoryPaths.Root, ".tools");

    /// <summary>The pwsh to run; fails the calling test with the reason when it can be neither found nor installed.</summary>
    public static async Task<string> EnsureAsync()
    {
        if (FindOnPath("pwsh") is { } onPath)
        {
            return onPath;
        }
        try
        {
            return await Installed.Value;
        }
        catch (InvalidOperationException failure)
        {
            Assert.Fail(failure.Message);
            throw;
        }
    }

    private static async Task<string> InstallAsync()
    {
        var pwsh = Path.Combine(ToolPath, OperatingSystem.IsWindows() ? "pwsh.exe" : "pwsh");
        var installed = Path.Combine(ToolPath, ".store", "powershell", Version);
        Directory.CreateDirectory(ToolPath);
        await using var exclusive = await LockAsync(Path.Combine(ToolPath, ".powershell-install.lock"));
        if (File.Exists(pwsh) && Directory.Exists(installed))
        {
            return pwsh;
        }
        if (File.Exists(pwsh))
        {
            await CommandRunner.RunAsync("dotnet", ["tool", "uninstall", "--tool-path", ToolPath, "PowerShell"], TimeSpan.FromMinutes(2));
        }
        var install = await CommandRunner.RunAsync("dotnet", ["tool", "install", "--tool-path", ToolPath, "PowerShell", "--version", Version],
            TimeSpan.FromMinutes(10));
        return install.ExitCode == 0 && File.Exists(pwsh)
            ? pwsh
            : throw new InvalidOperationException(
                $"pwsh is not on PATH and PowerShell {Version} could not be installed as a .NET tool into {ToolPath}:\n{install}");
    }

    /// <summary>An exclusive lock on a file, waited for (another test process may be installing).</summary>
    private static async Task<FileStream> LockAsync(string path)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(10);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    private static string? FindOnPath(string program)
    {
        var fileName = OperatingSystem.IsWindows() ? program + ".exe" : program;
        return (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, fileName))
            .FirstOrDefault(File.Exists);
    }
}

namespace Prynai.Tests.Infrastructure;

/// <summary>
/// The npm packages Tests/package.json pins (conformance suites, TypeScript SDK, MCP Inspector, Node 22). Installed with
/// <c>npm ci</c> the first time a test needs them, and again when package-lock.json is newer than what npm installed
/// (a pull that changed it), so a fresh clone needs no manual step (.ci/run also installs them). One install at a time
/// across test processes (both test projects use it): a lock file beside node_modules.
/// </summary>
public static class NodeTooling
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static async Task EnsureInstalledAsync()
    {
        await Gate.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            await using var exclusive = await LockAsync(Path.Combine(RepositoryPaths.Tests, ".npm-install.lock"));
            var installed = Path.Combine(RepositoryPaths.NodeModules, ".package-lock.json"); // npm writes it after each install
            if (File.Exists(installed) && File.GetLastWriteTimeUtc(installed) >= File.GetLastWriteTimeUtc(Path.Combine(RepositoryPaths.Tests, "package-lock.json")) &&
                File.Exists(RepositoryPaths.Node22) &&
                File.Exists(Path.Combine(RepositoryPaths.NodeModules, "@modelcontextprotocol", "sdk", "package.json")) &&
                File.Exists(Path.Combine(RepositoryPaths.NodeModules, "conformance-next", "package.json")) &&
                File.Exists(RepositoryPaths.InspectorCli))
            {
                return;
            }
            var npm = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Select(folder => Path.Combine(folder, OperatingSystem.IsWindows() ? "npm.cmd" : "npm"))
                .FirstOrDefault(File.Exists);
            Assert.True(npm is not null, "npm is not on PATH: install Node.js 20 or later (with npm); the tests then install Node 22 and their " +
                "packages from Tests/package-lock.json themselves (npm ci in Tests/).");
            var install = await CommandRunner.RunAsync(npm, ["ci", "--no-audit", "--no-fund"], TimeSpan.FromMinutes(10), RepositoryPaths.Tests);
            Assert.True(install.ExitCode == 0, $"npm ci in Tests/ failed:\n{install}");
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>An exclusive lock on a file, waited for (the other test process may be installing).</summary>
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
}

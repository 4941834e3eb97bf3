namespace Prynai.Tests.Infrastructure;

/// <summary>
/// Servers the tests run for real (redis-server, nginx) come from Debian's packages. .ci/run installs them; a test
/// that finds one missing installs it itself, so a plain <c>dotnet test</c> on a fresh machine works too.
/// </summary>
public static class DebianPackages
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    /// <summary>The full path of <paramref name="executable"/>, installing <paramref name="package"/> first if needed.</summary>
    public static async Task<string> EnsureAsync(string executable, string package)
    {
        await Gate.WaitAsync();
        try
        {
            if (Find(executable) is { } path)
            {
                return path;
            }
            var install = await CommandRunner.RunAsync("apt-get", ["install", "-y", "-qq", package], TimeSpan.FromMinutes(10),
                environment: new Dictionary<string, string?> { ["DEBIAN_FRONTEND"] = "noninteractive" });
            if (install.ExitCode != 0)
            {
                var update = await CommandRunner.RunAsync("apt-get", ["update", "-qq"], TimeSpan.FromMinutes(10));
                install = await CommandRunner.RunAsync("apt-get", ["install", "-y", "-qq", package], TimeSpan.FromMinutes(10),
                    environment: new Dictionary<string, string?> { ["DEBIAN_FRONTEND"] = "noninteractive" });
                Assert.True(install.ExitCode == 0, $"Could not install {package} (run .ci/run, or apt-get install {package}):\n{update}\n{install}");
            }
            return Find(executable) ?? throw new InvalidOperationException($"{package} installed but {executable} was not found.");
        }
        finally
        {
            Gate.Release();
        }
    }

    private static string? Find(string executable) =>
        new[] { "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin" }
            .Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            .Select(directory => Path.Combine(directory, executable))
            .FirstOrDefault(File.Exists);
}

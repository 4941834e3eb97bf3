using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Deployment;

/// <summary>
/// shellcheck on every shell script the repository still has: deploy/rehearse.sh, the test fakes of
/// Deployment/fakes, bench/run.sh and .ci/run. (The rollout and azd's hooks are PowerShell; running them in
/// <see cref="RolloutHarness"/> is what checks them.)
/// </summary>
public sealed class ShellScriptTests
{
    /// <summary>Folders that hold no script of the repository's own: build output, packages, tools, git.</summary>
    private static readonly HashSet<string> SkippedFolders =
        new(["bin", "obj", "node_modules", ".git", ".tools", "TestResults", "artifacts"], StringComparer.Ordinal);

    [Fact]
    public async Task Shellcheck_FindsNothing_InAnyShellScript()
    {
        var scripts = ShellScripts(RepositoryPaths.Root).Order(StringComparer.Ordinal).ToArray();
        string[] expected =
        [
            Path.Combine("deploy", "rehearse.sh"),
            Path.Combine("bench", "run.sh"),
            Path.Combine(".ci", "run"),
            Path.Combine("Tests", "Prynai.Tests", "Deployment", "fakes", "az"),
        ];
        Assert.All(expected, script => Assert.Contains(Path.Combine(RepositoryPaths.Root, script), scripts));

        var result = await CommandRunner.RunAsync(await DebianPackages.EnsureAsync("shellcheck", "shellcheck"), scripts, TimeSpan.FromMinutes(2));

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    /// <summary>Files named *.sh, and files without an extension that start with a sh or bash shebang.</summary>
    private static IEnumerable<string> ShellScripts(string folder)
    {
        foreach (var file in Directory.EnumerateFiles(folder))
        {
            if (file.EndsWith(".sh", StringComparison.Ordinal) || (Path.GetExtension(file).Length == 0 && HasShellShebang(file)))
            {
                yield return file;
            }
        }
        foreach (var child in Directory.EnumerateDirectories(folder).Where(child => !SkippedFolders.Contains(Path.GetFileName(child))))
        {
            foreach (var script in ShellScripts(child))
            {
                yield return script;
            }
        }
    }

    private static bool HasShellShebang(string file)
    {
        using var reader = new StreamReader(file);
        var first = reader.ReadLine() ?? "";
        var interpreter = first.Split(['/', ' '], StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        return first.StartsWith("#!", StringComparison.Ordinal) && interpreter is "sh" or "bash";
    }
}

using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace Prynai.AppHost;

/// <summary>
/// The Inspector's npm packages, installed with <c>npm ci</c> exactly as package-lock.json pins them — once, and again
/// only when the lock file changes (a stamp in node_modules records the lock file it was installed from).
/// </summary>
internal static partial class InspectorPackages
{
    private const string Stamp = ".prynai-package-lock.sha256";

    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(10);

    public static bool IsInstalled(string packageDirectory) =>
        File.Exists(StampPath(packageDirectory)) && File.ReadAllText(StampPath(packageDirectory)) == LockHash(packageDirectory);

    /// <summary>Runs <c>npm ci</c> when needed, its output in the resource's log; throws (the resource fails to start) when it fails.</summary>
    public static async Task EnsureInstalledAsync(string packageDirectory, string npm, string searchPath, ILogger logger, CancellationToken cancellationToken)
    {
        if (IsInstalled(packageDirectory))
        {
            return;
        }
        logger.Installing(packageDirectory);
        var start = new ProcessStartInfo(npm, ["ci", "--no-audit", "--no-fund"])
        {
            WorkingDirectory = packageDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.Environment["PATH"] = searchPath; // npm's own `#!/usr/bin/env node` runs on the Node that will run the Inspector
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{npm} did not start.");
        process.OutputDataReceived += (_, line) => { if (line.Data is { Length: > 0 } text) { logger.NpmOutput(text); } };
        process.ErrorDataReceived += (_, line) => { if (line.Data is { Length: > 0 } text) { logger.NpmOutput(text); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(InstallTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"npm ci in {packageDirectory} failed (exit code {process.ExitCode}); its output is above.");
        }
        await File.WriteAllTextAsync(StampPath(packageDirectory), LockHash(packageDirectory), cancellationToken).ConfigureAwait(false);
    }

    private static string StampPath(string packageDirectory) => Path.Combine(packageDirectory, "node_modules", Stamp);

    private static string LockHash(string packageDirectory) =>
        Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Path.Combine(packageDirectory, "package-lock.json"))));

    [LoggerMessage(Level = LogLevel.Information, Message = "Installing the MCP Inspector: npm ci in {Directory} (first start, or package-lock.json changed)")]
    private static partial void Installing(this ILogger logger, string directory);

    [LoggerMessage(Level = LogLevel.Information, Message = "npm: {Line}")]
    private static partial void NpmOutput(this ILogger logger, string line);
}

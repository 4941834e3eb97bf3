using System.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace Prynai.AppHost;

/// <summary>The Node.js on the AppHost's PATH, and whether it can run the Inspector; or why not.</summary>
internal sealed record NodeRuntime(string? Node, string? Npm, Version? Version, string? Problem)
{
    /// <summary>@modelcontextprotocol/inspector 2.12.0 declares <c>engines: node &gt;= 22.19.0</c>.</summary>
    public static readonly Version Required = new(22, 19, 0);

    private static readonly TimeSpan VersionTimeout = TimeSpan.FromSeconds(10);

    public static NodeRuntime Find(IConfiguration configuration)
    {
        var node = ExecutableSearch.Find("node", configuration);
        var npm = ExecutableSearch.Find("npm", configuration);
        if (node is null)
        {
            return new NodeRuntime(null, npm, null, "Node.js is not on PATH");
        }
        var version = VersionOf(node);
        return version switch
        {
            null => new NodeRuntime(node, npm, null, $"`{node} --version` did not answer with a version"),
            _ when version < Required => new NodeRuntime(node, npm, version, $"{node} is Node.js {version}, and the Inspector needs {Required} or later"),
            _ when npm is null => new NodeRuntime(node, null, version, "npm is not on PATH (it installs the Inspector)"),
            _ => new NodeRuntime(node, npm, version, null),
        };
    }

    private static Version? VersionOf(string node)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(node, ["--version"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
            })!;
            var output = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(VersionTimeout))
            {
                process.Kill(entireProcessTree: true);
                return null;
            }
            return Version.TryParse(output.Result.Trim().TrimStart('v'), out var version) ? version : null;
        }
        catch (Exception exception) when (exception is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return null;
        }
    }
}

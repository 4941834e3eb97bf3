using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.WebUtilities;

namespace Prynai.Tests.Infrastructure;

/// <summary>
/// Runs an interactive OAuth client (a Node script or a CLI) whose browser step the test plays: every authorization URL
/// the client prints (as <c>{"authorize": url}</c>, or as a plain URL line when <paramref name="plainUrls"/>) is opened
/// in a <see cref="HeadlessSignIn"/>, and the redirect it ends in is delivered to the client's loopback callback.
/// </summary>
public static class InteractiveClientRun
{
    public static async Task<CommandRunner.Result> RunAsync(string fileName, IEnumerable<string> arguments, Func<HeadlessSignIn> browser, TimeSpan timeout,
        bool plainUrls = false, string? authorizePrefix = null, IDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(fileName, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepositoryPaths.Root };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start)!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var urls = Channel.CreateUnbounded<string>();
        void Read(string? line, StringBuilder into)
        {
            if (line is null)
            {
                return;
            }
            lock (into)
            {
                into.AppendLine(line);
            }
            if (AuthorizationUrl(line, plainUrls, authorizePrefix) is { } url)
            {
                urls.Writer.TryWrite(url);
            }
        }
        process.OutputDataReceived += (_, e) => Read(e.Data, stdout);
        process.ErrorDataReceived += (_, e) => Read(e.Data, stderr);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var cts = new CancellationTokenSource(timeout);
        var exited = process.WaitForExitAsync(cts.Token);
        try
        {
            while (!exited.IsCompleted)
            {
                var next = urls.Reader.WaitToReadAsync(cts.Token).AsTask();
                if (await Task.WhenAny(exited, next) != next || !await next || !urls.Reader.TryRead(out var url))
                {
                    continue;
                }
                var redirect = QueryHelpers.ParseQuery(new Uri(url).Query)["redirect_uri"].ToString();
                using var agent = browser();
                var landed = await agent.FollowAsync(url, redirect, cancellationToken: cts.Token)
                    ?? throw new InvalidOperationException($"The sign-in stopped at a page ({agent.LastStatus}): {agent.LastPage}");
                using var deliver = new HttpClient();
                (await deliver.GetAsync(landed, cts.Token)).Dispose();
            }
            await exited;
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} ran longer than {timeout}:\n{stdout}\n{stderr}");
        }
        process.WaitForExit();
        return new CommandRunner.Result(process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The last JSON object line a client printed (its report).</summary>
    public static JsonObject LastJson(string output) =>
        output.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith('{')).Select(l => JsonNode.Parse(l) as JsonObject).Last(o => o is not null && o["authorize"] is null)!;

    private static string? AuthorizationUrl(string line, bool plainUrls, string? prefix)
    {
        var trimmed = line.Trim();
        if (trimmed.StartsWith("{\"authorize\"", StringComparison.Ordinal))
        {
            return JsonNode.Parse(trimmed)!["authorize"]!.GetValue<string>();
        }
        if (!plainUrls)
        {
            return null;
        }
        var at = prefix is null ? -1 : trimmed.IndexOf(prefix, StringComparison.Ordinal);
        return at >= 0 ? trimmed[at..].Split(' ')[0] : null;
    }
}

using System.Net;
using System.Text.RegularExpressions;
using Prynai.AppHost.Tests.Infrastructure;

namespace Prynai.AppHost.Tests;

/// <summary>
/// F5 on a machine with only the .NET SDK — no container runtime, no redis-server, no Node.js (hidden from the
/// AppHost's PATH): the AppHost as a process, as a newcomer starts it.
/// </summary>
public sealed partial class BareMachineTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);

    private readonly ProgramsHidden _path = ProgramsHidden.Create(ProgramsHidden.SdkOnlyMachine);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task BareMachine_DashboardAndAHealthyServerOnSqliteStart_RedisAndTheInspectorSayWhyNot_AndCtrlCLeavesNoProcess()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "reads the AppHost's processes from /proc");
        await using var host = AppHostProcess.Start(_path.Path);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        timeout.CancelAfter(StartTimeout);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        var dashboard = await WaitForAsync(() => LoginUrl().Match(host.Output) is { Success: true } login ? new Uri(login.Value) : null, host, "the dashboard's login URL", timeout.Token);
        using (var page = await http.GetAsync(dashboard, timeout.Token))
        {
            Assert.True(page.IsSuccessStatusCode || page.StatusCode == HttpStatusCode.Redirect, $"the dashboard answered {page.StatusCode}");
        }

        // The server: a process DCP started, healthy on its own SQLite store, no Redis in its environment.
        var health = await WaitForAsync(async () =>
        {
            var server = host.Descendants().FirstOrDefault(process => process.CommandLine.Contains("Prynai.McpServer", StringComparison.Ordinal));
            if (server?.Environment("ASPNETCORE_URLS") is not { } urls)
            {
                return null;
            }
            try
            {
                using var response = await http.GetAsync(new Uri(new Uri(urls.Split(';')[0]), "/healthz"), timeout.Token);
                return response.StatusCode == HttpStatusCode.OK ? new HealthyServer(server, await response.Content.ReadAsStringAsync(timeout.Token)) : null;
            }
            catch (HttpRequestException)
            {
                return null;
            }
        }, host, "a healthy server", timeout.Token);
        Assert.Contains("\"store\":\"sqlite\"", health.Body);
        Assert.Null(health.Server.Environment("ConnectionStrings__cache"));

        Assert.Contains("'cache' is not running: no container runtime answered (docker is not on PATH) and redis-server is not on PATH", host.Output);
        Assert.Contains("install it (apt install redis-server, brew install redis) or start Docker or Podman", host.Output);
        Assert.Contains("'inspector' is not running: Node.js is not on PATH. Install Node.js 22.19.0 or later (with npm)", host.Output);
        Assert.DoesNotContain("Unhandled exception", host.Output);
        Assert.DoesNotContain("No trusted Aspire development certificate", host.Output);

        var processes = host.Descendants();
        Assert.Contains(processes, process => process.CommandLine.Contains("dcp", StringComparison.Ordinal));
        var signal = await host.InterruptAsync();
        Assert.Equal(0, await host.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        // DCP stops what it started after the AppHost has gone (it watches the AppHost's process id).
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await WaitForAsync(() => processes.All(process => !process.IsAlive) ? "gone" : null, host,
            $"every process the AppHost led to gone after {signal}: {string.Join("; ", processes.Where(process => process.IsAlive))}",
            stopping.Token, hostMayHaveExited: true);
    }

    [Theory]
    [InlineData("--McpReplicas=2", "McpReplicas=2 needs a store the replicas share, and Redis cannot run here")]
    [InlineData("--Cache:RunAs=Process", "Cache:RunAs=Process, but redis-server is not on PATH.")]
    public async Task SettingThisMachineCannotServe_StopsTheAppHostWithOneLine(string setting, string line)
    {
        await using var host = AppHostProcess.Start(_path.Path, setting);

        Assert.Equal(1, await host.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        var printed = host.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var refusal = Assert.Single(printed);
        Assert.StartsWith($"stderr: Prynai AppHost cannot start: {line}", refusal);
    }

    private sealed record HealthyServer(LinuxProcess Server, string Body);

    /// <summary>Polls until the probe finds what it looks for; fails with the AppHost's output if it exits first or time runs out.</summary>
    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, AppHostProcess host, string what, CancellationToken cancellationToken,
        bool hostMayHaveExited = false) where T : class
    {
        while (true)
        {
            if (await probe() is { } found)
            {
                return found;
            }
            if (host.HasExited && !hostMayHaveExited)
            {
                Assert.Fail($"The AppHost exited ({host.ExitCode}) before {what}:\n{host.Output}");
            }
            try
            {
                await Task.Delay(250, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"Timed out waiting for {what}. The AppHost printed:\n{host.Output}");
            }
        }
    }

    private static Task<T> WaitForAsync<T>(Func<T?> probe, AppHostProcess host, string what, CancellationToken cancellationToken,
        bool hostMayHaveExited = false) where T : class =>
        WaitForAsync(() => Task.FromResult(probe()), host, what, cancellationToken, hostMayHaveExited);

    [GeneratedRegex(@"http://localhost:\d+/login\?t=\w+")]
    private static partial Regex LoginUrl();

    public void Dispose() => _path.Dispose();
}

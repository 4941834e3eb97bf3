using System.Text.Json.Nodes;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Interop;

/// <summary>The official TypeScript SDK client (1.32.2, Tests/ts-client/client.mjs) against the real server process.</summary>
public sealed class TypeScriptClientTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TypeScriptClient_ExercisesEveryCapability_OnASession(bool noSampling)
    {
        await NodeTooling.EnsureInstalledAsync();
        await using var server = await ServerProcess.StartAsync();

        string[] arguments = [Path.Combine(RepositoryPaths.Tests, "ts-client", "client.mjs"), "--url", server.McpEndpoint.ToString()];
        var run = await CommandRunner.RunAsync(RepositoryPaths.Node22, noSampling ? [.. arguments, "--no-sampling"] : arguments, TimeSpan.FromMinutes(2));
        output.WriteLine(run.StandardOutput);

        Assert.True(run.ExitCode == 0, run.ToString());
        var report = JsonNode.Parse(run.StandardOutput)!;
        Assert.Equal("2025-11-25", report["protocolVersion"]!.GetValue<string>());
        Assert.Equal(5, report["add"]!.GetValue<double>());
        Assert.Equal(404, report["afterDeleteStatus"]!.GetValue<int>());
        Assert.Equal(noSampling ? "sampling unavailable" : "TSMOCK:", noSampling
            ? report["sampling"]!.GetValue<string>()
            : report["sampling"]!.GetValue<string>()[..7]);
        Assert.Empty(report["errors"]!.AsArray());
    }

    [Fact]
    public async Task TypeScriptClient_CancelThenEndSession_LeavesNoWarningAndNoResetConnection()
    {
        await NodeTooling.EnsureInstalledAsync();
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string?> { ["Tools__StepDelay"] = "00:00:00.200" });

        var run = await CommandRunner.RunAsync(RepositoryPaths.Node22,
            [Path.Combine(RepositoryPaths.Tests, "ts-client", "cancel-then-close.mjs"), "--url", server.McpEndpoint.ToString()], TimeSpan.FromMinutes(1));
        output.WriteLine(run.StandardOutput);

        Assert.True(run.ExitCode == 0, run.ToString());
        var report = JsonNode.Parse(run.StandardOutput)!;
        Assert.True(report["started"]!.GetValue<bool>());
        Assert.StartsWith("rejected: ", report["callOutcome"]!.GetValue<string>());
        Assert.True(report["terminated"]!.GetValue<bool>());
        Assert.Empty(report["transportErrors"]!.AsArray());
        Assert.DoesNotMatch(@"(?m)^(warn|fail|crit): ", server.Output);
    }
}

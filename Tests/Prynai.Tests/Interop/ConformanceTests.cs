using System.Text.Json;
using System.Text.Json.Nodes;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Interop;

/// <summary>
/// The official MCP conformance suite (npm @modelcontextprotocol/conformance) against the real server process with
/// the suite's fixtures (Tests/Prynai.ConformanceHost): 0.1.16's active suite (session revisions) and 0.2.0-alpha.12's 2026-07-28
/// requirement set. Pass counts go to the test output.
/// </summary>
public sealed class ConformanceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Stable_0_1_16_ActiveSuite_PassesEveryScenario()
    {
        await NodeTooling.EnsureInstalledAsync();
        await using var server = await ServerProcess.StartConformanceHostAsync();
        using var results = new TempDirectory("conformance-stable");

        var run = await RunSuiteAsync("conformance-stable", ["server", "--url", server.McpEndpoint.ToString(), "-o", results.Path]);
        var scenarios = ReadChecks(results.Path);
        Report("0.1.16 active", scenarios);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(30, scenarios.Count);
        Assert.All(scenarios, s => Assert.True(s.Value.All(c => c.Status == "SUCCESS"), $"{s.Key}: {Describe(s.Value)}"));
        AssertFixturesReallyAnswered(scenarios);
    }

    [Fact]
    public async Task Next_0_2_0_Alpha12_Requirements2026_PassesEveryScoredScenario_AndTheUnscoredOnes()
    {
        await NodeTooling.EnsureInstalledAsync();
        await using var server = await ServerProcess.StartConformanceHostAsync();
        using var results = new TempDirectory("conformance-next");

        var run = await RunSuiteAsync("conformance-next", ["server", "--url", server.McpEndpoint.ToString(), "--requirements", "2026-07-28",
            "--expected-failures", Path.Combine(RepositoryPaths.Tests, "conformance", "expected-failures-2026.yml"), "-o", results.Path]);
        var scenarios = ReadChecks(results.Path);
        var scored = scenarios.Where(s => !Unscored(s.Key)).ToDictionary();
        Report("0.2.0-alpha.12 --requirements 2026-07-28 (scored)", scored);
        Report("0.2.0-alpha.12 --requirements 2026-07-28 (not scored)", scenarios.Where(s => Unscored(s.Key)).ToDictionary());

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(37, scored.Count);
        Assert.All(scored, s => Assert.True(s.Value.All(c => c.Status is "SUCCESS" or "INFO"), $"{s.Key}: {Describe(s.Value)}"));

        var unscored = scenarios.Where(s => Unscored(s.Key)).ToDictionary();
        Assert.Equal(13, unscored.Count);
        Assert.Equal(10, unscored.Keys.Count(name => name.StartsWith("tasks-", StringComparison.Ordinal)));
        Assert.All(unscored, s =>
            Assert.True(s.Value.All(c => c.Status is "SUCCESS" or "INFO" or "SKIPPED"), $"{s.Key}: {Describe(s.Value)}"));
        // The harness itself skips tasks-status-notifications (its notifications/tasks harness is pending); every
        // other tasks-* check must have run and succeeded, not been skipped.
        Assert.All(unscored.Where(s => s.Key.StartsWith("tasks-", StringComparison.Ordinal) && s.Key != "tasks-status-notifications"),
            s => Assert.DoesNotContain(s.Value, c => c.Status == "SKIPPED"));
        Assert.All(scenarios["http-header-validation"], c => Assert.Equal("SUCCESS", c.Status));
        // SEP-2243 custom headers (fixture test_custom_headers): every declared check observed and passed.
        Assert.True(scenarios["http-custom-header-server-validation"].Count >= 9, Describe(scenarios["http-custom-header-server-validation"]));
        Assert.All(scenarios["http-custom-header-server-validation"], c => Assert.True(c.Status == "SUCCESS", $"{c.Id}={c.Status} {c.Error}"));
        AssertFixturesReallyAnswered(scenarios);
    }

    /// <summary>An unknown tool's error also "passes" some checks; the recorded results prove the fixtures answered.</summary>
    private static void AssertFixturesReallyAnswered(Dictionary<string, List<Check>> scenarios)
    {
        Assert.Contains("This is a simple text response for testing.", scenarios["tools-call-simple-text"][0].Details);
        Assert.Contains("This tool intentionally returns an error for testing", scenarios["tools-call-error"][0].Details);
        if (scenarios.TryGetValue("tasks-lifecycle", out var lifecycle))
        {
            Assert.Contains("\"statusAfterCancel\":\"cancelled\"", lifecycle.Single(c => c.Id == "sep-2663-cancel-ack-empty-result").Details);
        }
    }

    private static bool Unscored(string scenario) =>
        scenario.StartsWith("tasks-", StringComparison.Ordinal) || scenario is "json-schema-2020-12" or "http-header-validation" or "http-custom-header-server-validation";

    private static Task<CommandRunner.Result> RunSuiteAsync(string package, string[] arguments) =>
        CommandRunner.RunAsync(RepositoryPaths.Node22, [Path.Combine(RepositoryPaths.NodeModules, package, "dist", "index.js"), .. arguments],
            TimeSpan.FromMinutes(8), RepositoryPaths.Tests);

    /// <summary>scenario → checks, from the suite's -o directory (one server-&lt;scenario&gt;-&lt;timestamp&gt; folder each).</summary>
    private static Dictionary<string, List<Check>> ReadChecks(string directory) =>
        Directory.GetDirectories(directory).ToDictionary(
            folder => System.Text.RegularExpressions.Regex.Match(Path.GetFileName(folder), "^server-(.+)-\\d{4}-\\d{2}-\\d{2}T").Groups[1].Value,
            folder => JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "checks.json")))!.AsArray()
                .Select(c => new Check(c!["id"]!.GetValue<string>(), c["status"]!.GetValue<string>(), c["errorMessage"]?.GetValue<string>(),
                    c["details"]?.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) ?? ""))
                .ToList());

    private void Report(string suite, Dictionary<string, List<Check>> scenarios)
    {
        var passed = scenarios.Count(s => s.Value.All(c => c.Status is "SUCCESS" or "INFO" or "SKIPPED"));
        output.WriteLine($"{suite}: {passed}/{scenarios.Count} scenarios passed, {scenarios.Sum(s => s.Value.Count(c => c.Status == "SUCCESS"))} checks succeeded");
        foreach (var (name, checks) in scenarios.OrderBy(s => s.Key))
        {
            output.WriteLine($"  {name}: {checks.Count(c => c.Status == "SUCCESS")}/{checks.Count}{(checks.All(c => c.Status != "FAILURE") ? "" : " FAILED")}");
        }
    }

    private static string Describe(List<Check> checks) =>
        string.Join("; ", checks.Where(c => c.Status is not "SUCCESS").Select(c => $"{c.Id}={c.Status} {c.Error}"));

    private sealed record Check(string Id, string Status, string? Error, string Details);
}

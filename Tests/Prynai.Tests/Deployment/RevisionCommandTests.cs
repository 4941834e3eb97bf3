namespace Prynai.Tests.Deployment;

/// <summary>
/// The commands of deploy/rollout.ps1 that move traffic between existing revisions (promote, rollback) or list them
/// (status), against a fake az that knows six revisions.
/// </summary>
public sealed class RevisionCommandTests
{
    private const string Rg = RolloutHarness.ResourceGroup;
    private const string ListRevisions = $"az containerapp revision list -g {Rg} -n mcp -o json";

    private const string Revisions = """
        [
          {"name":"mcp--aaa","properties":{"active":true,"createdTime":"2026-01-01T09:00:00Z","trafficWeight":0,"provisioningState":"Provisioned","healthState":"Healthy","runningState":"Running","fqdn":"mcp--aaa.example.io"}},
          {"name":"mcp--bbb","properties":{"active":true,"createdTime":"2026-01-02T10:00:00.1234567+00:00","trafficWeight":0,"provisioningState":"Provisioned","healthState":"Healthy","runningState":"Running","fqdn":"mcp--bbb.example.io"}},
          {"name":"mcp--ccc","properties":{"active":false,"createdTime":"2026-01-03T10:00:00+00:00","trafficWeight":0,"provisioningState":"Provisioned","healthState":"None","runningState":"Stopped","fqdn":"mcp--ccc.example.io"}},
          {"name":"mcp--ddd","properties":{"active":true,"createdTime":"2026-01-04T10:00:00+00:00","trafficWeight":0,"provisioningState":"Failed","healthState":"Unhealthy","runningState":"Failed","fqdn":"mcp--ddd.example.io"}},
          {"name":"mcp--eee","properties":{"active":true,"createdTime":"2026-01-05T10:00:00+01:00","trafficWeight":100,"provisioningState":"Provisioned","healthState":"Healthy","runningState":"Running","fqdn":"mcp--eee.example.io"}},
          {"name":"mcp--fff","properties":{"active":true,"createdTime":"2026-01-06T10:00:00+00:00","trafficWeight":0,"provisioningState":"Provisioned","healthState":"Healthy","runningState":"Running","fqdn":"mcp--fff.example.io"}}
        ]
        """;

    private static RolloutHarness WithRevisions()
    {
        var rollout = new RolloutHarness();
        rollout.Write("revisions.json", Revisions);
        return rollout;
    }

    [Fact]
    public async Task Rollback_SendsAllTrafficToTheMostRecentEarlierActiveHealthyRevision()
    {
        // eee takes the traffic. fff is newer but was never promoted; ddd failed; ccc is inactive: bbb is the previous.
        using var rollout = WithRevisions();

        var result = await rollout.RunAsync("rollback");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal([ListRevisions, $"az containerapp ingress traffic set -g {Rg} -n mcp --revision-weight mcp--bbb=100"], result.Calls);
        Assert.Contains("Rolled back to mcp--bbb (mcp--eee stays active with 0% traffic)", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollback_WithoutAnEarlierActiveRevision_FailsAndMovesNoTraffic()
    {
        using var rollout = new RolloutHarness();
        rollout.Write("revisions.json", """
            [
              {"name":"mcp--old","properties":{"active":false,"createdTime":"2026-01-01T09:00:00+00:00","trafficWeight":0}},
              {"name":"mcp--now","properties":{"active":true,"createdTime":"2026-01-02T09:00:00+00:00","trafficWeight":100}},
              {"name":"mcp--newer","properties":{"active":true,"createdTime":"2026-01-03T09:00:00+00:00","trafficWeight":0}}
            ]
            """);

        var result = await rollout.RunAsync("rollback");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal([ListRevisions], result.Calls);
        Assert.Contains("no active, healthy revision older than mcp--now", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollback_WhenNoRevisionTakesTraffic_FailsAndMovesNoTraffic()
    {
        using var rollout = new RolloutHarness();
        rollout.Write("revisions.json", """
            [{"name":"mcp--old","properties":{"active":true,"createdTime":"2026-01-01T09:00:00+00:00","trafficWeight":0}}]
            """);

        var result = await rollout.RunAsync("rollback");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal([ListRevisions], result.Calls);
        Assert.Contains("rollout: error: no revision of mcp takes traffic; use 'promote REVISION'", result.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rollback")]
    [InlineData("status")]
    public async Task Command_GivenAnArgument_ExitsWith2AndCallsNothing(string command)
    {
        using var rollout = WithRevisions();

        var result = await rollout.RunAsync(command, "mcp--aaa");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"rollout: error: {command} takes no arguments", result.StandardError, StringComparison.Ordinal);
        Assert.Empty(result.Calls);
    }

    [Fact]
    public async Task AnAnswerOfTheAzureCliThatIsNotJson_FailsNamingWhatWasRead()
    {
        using var rollout = new RolloutHarness();
        rollout.Write("revisions.json", "Please run 'az login' to setup account.");

        var result = await rollout.RunAsync("status");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("rollout: error: the Azure CLI did not print JSON for the revision list", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promote_KnownActiveRevision_SendsAllTrafficToIt()
    {
        using var rollout = WithRevisions();

        var result = await rollout.RunAsync("promote", "mcp--fff");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal([ListRevisions, $"az containerapp ingress traffic set -g {Rg} -n mcp --revision-weight mcp--fff=100"], result.Calls);
        Assert.Contains("Promoted mcp--fff", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promote_InactiveRevision_ActivatesItFirst()
    {
        using var rollout = WithRevisions();

        var result = await rollout.RunAsync("promote", "mcp--ccc");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(
            [
                ListRevisions,
                $"az containerapp revision activate -g {Rg} -n mcp --revision mcp--ccc",
                $"az containerapp ingress traffic set -g {Rg} -n mcp --revision-weight mcp--ccc=100",
            ],
            result.Calls);
    }

    [Fact]
    public async Task Promote_UnknownRevision_FailsWithExitCode2_AndMovesNoTraffic()
    {
        using var rollout = WithRevisions();

        var result = await rollout.RunAsync("promote", "mcp--nope");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal([ListRevisions], result.Calls);
        Assert.Contains(
            "unknown revision 'mcp--nope' of mcp (known: mcp--aaa mcp--bbb mcp--ccc mcp--ddd mcp--eee mcp--fff)",
            result.StandardError,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promote_TrafficCannotBeMoved_Fails()
    {
        using var rollout = WithRevisions();
        rollout.Write("fail-traffic-set", "");

        var result = await rollout.RunAsync("promote", "mcp--fff");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("rollout: error: moving the traffic to mcp--fff failed", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("Promoted", result.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("promote")]
    [InlineData("promote", "")]
    [InlineData("promote", "mcp--aaa", "mcp--bbb")]
    public async Task Promote_WithoutExactlyOneRevision_PrintsUsage_AndFails(params string[] arguments)
    {
        using var rollout = WithRevisions();

        var result = await rollout.RunAsync(arguments);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(RolloutHarness.UsageLine, result.StandardError, StringComparison.Ordinal);
        Assert.Contains("rollout: error: promote takes exactly one argument: the revision name", result.StandardError, StringComparison.Ordinal);
        Assert.Empty(result.Calls);
    }

    [Fact]
    public async Task Status_PrintsATableOfRevisions_NewestFirst_WithCreationTimesInUtc()
    {
        using var rollout = WithRevisions();

        var result = await rollout.RunAsync("status");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal([ListRevisions], result.Calls);
        var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal($"Revisions of mcp (resource group {Rg}):", lines[0]);
        Assert.Equal(
            [
                "NAME      ACTIVE  TRAFFIC  CREATED               HEALTH     RUNNING  FQDN",
                "mcp--fff  yes     0%       2026-01-06T10:00:00Z  Healthy    Running  mcp--fff.example.io",
                "mcp--eee  yes     100%     2026-01-05T09:00:00Z  Healthy    Running  mcp--eee.example.io",
                "mcp--ddd  yes     0%       2026-01-04T10:00:00Z  Unhealthy  Failed   mcp--ddd.example.io",
                "mcp--ccc  no      0%       2026-01-03T10:00:00Z  None       Stopped  mcp--ccc.example.io",
                "mcp--bbb  yes     0%       2026-01-02T10:00:00Z  Healthy    Running  mcp--bbb.example.io",
                "mcp--aaa  yes     0%       2026-01-01T09:00:00Z  Healthy    Running  mcp--aaa.example.io",
            ],
            lines.Skip(1));
    }
}

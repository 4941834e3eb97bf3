namespace Prynai.Tests.Deployment;

/// <summary>
/// The ways rollout and stage of deploy/rollout.ps1 stop before the smoke test decides (RolloutCommandTests has the
/// smoke test itself, the publish and the pinning): each one exits 1, says where the traffic is and never moves it to
/// the new revision; a revision that exists by then is deactivated.
/// </summary>
public sealed class RolloutFailureTests
{
    private const string Rg = RolloutHarness.ResourceGroup;
    private const string DeactivateNewRevision = $"az containerapp revision deactivate -g {Rg} -n mcp --revision mcp--abc1234";

    private static string[] UntilSmoke => RolloutHarness.CallsUntilSmoke("mcp--old1");

    private static void AssertTrafficNeverMovedToTheNewRevision(RolloutHarness.Result result) =>
        Assert.DoesNotContain(result.Calls, call => call.Contains("--revision-weight mcp--abc1234", StringComparison.Ordinal));

    [Theory]
    [InlineData("rollout")]
    [InlineData("stage")]
    public async Task NoRevisionTakesTraffic_StopsBeforeAnythingIsDeployed(string command)
    {
        using var rollout = new RolloutHarness();
        rollout.Write("traffic.json", """[{"revisionName":"mcp--old1","weight":0}]""");

        var result = await rollout.RunAsync(command);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(UntilSmoke.Take(3), result.Calls);
        Assert.Contains(
            "rollout: error: no revision of mcp takes traffic, so there would be nothing to fall back to; give one revision the traffic first ('promote REVISION')",
            result.StandardError,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task SplitTraffic_IsReported_AndTheRevisionWithTheLargestShareIsPinned()
    {
        using var rollout = new RolloutHarness();
        rollout.Write("traffic.json", """[{"revisionName":"mcp--old2","weight":30},{"revisionName":"mcp--old1","weight":70}]""");

        var result = await rollout.RunAsync("rollout");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("rollout: warning: traffic is split: mcp--old2=30, mcp--old1=70", result.StandardError, StringComparison.Ordinal);
        Assert.Equal(UntilSmoke, result.Calls.Take(UntilSmoke.Length));
    }

    [Theory]
    [InlineData("fail-acr-login")]
    [InlineData("no token")]
    public async Task RegistryLoginFails_StopsBeforeThePublish(string failure)
    {
        using var rollout = new RolloutHarness();
        if (failure == "no token")
        {
            rollout.Write("token.txt", "");
        }
        else
        {
            rollout.Write(failure, "");
        }

        var result = await rollout.RunAsync("rollout");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(UntilSmoke.Take(5), result.Calls);
        Assert.Contains(
            "rollout: error: 'az acr login --name prynaiacr' failed; nothing was deployed, traffic stays on mcp--old1",
            result.StandardError,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreatingTheRevisionFails_SaysHowToRetry_AndDeactivatesNothing()
    {
        using var rollout = new RolloutHarness();
        rollout.Write("fail-update", "");

        var result = await rollout.RunAsync("rollout");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(UntilSmoke.Take(7), result.Calls);
        Assert.Contains(
            "rollout: error: 'az containerapp update' failed (if mcp--abc1234 already exists, set TAG to a new value or run 'promote mcp--abc1234'); traffic stays on mcp--old1",
            result.StandardError,
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rollout")]
    [InlineData("stage")]
    public async Task TheNewRevisionHasNoFqdn_ItIsDeactivated_WithoutASmokeTest(string command)
    {
        using var rollout = new RolloutHarness();
        rollout.Write("fqdn.txt", "");

        var result = await rollout.RunAsync(command);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal([.. UntilSmoke.Take(8), DeactivateNewRevision], result.Calls);
        Assert.Contains("ROLLOUT FAILED: revision mcp--abc1234 has no FQDN (is ingress enabled?).", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("Traffic was NOT moved: 100% stays on mcp--old1.", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("rollout: error: rollout of mcp--abc1234 failed; traffic stays on mcp--old1", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheNewRevisionIsNotReadyInTime_ItIsDeactivated_WithoutASmokeTest()
    {
        using var rollout = new RolloutHarness();
        rollout.Environment["PRYNAI_READY_TIMEOUT"] = "0";
        rollout.Write("revision.json", """
            {"name":"mcp--abc1234","properties":{"provisioningState":"Provisioning","healthState":"None","runningState":"Activating"}}
            """);

        var result = await rollout.RunAsync("rollout");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal([.. UntilSmoke.SkipLast(1), DeactivateNewRevision], result.Calls);
        Assert.Contains("Revision mcp--abc1234 was not ready after 0s (provisioning: provisioning, health: none).", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("ROLLOUT FAILED: revision mcp--abc1234 did not become ready.", result.StandardOutput, StringComparison.Ordinal);
        AssertTrafficNeverMovedToTheNewRevision(result);
    }

    [Fact]
    public async Task DeactivatingAFailedRevisionFails_ItSaysToDoItByHand_AndStillFails()
    {
        using var rollout = new RolloutHarness();
        rollout.Write("smoke-exit", "1");
        rollout.Write("fail-deactivate", "");

        var result = await rollout.RunAsync("rollout");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal([.. UntilSmoke, DeactivateNewRevision], result.Calls);
        Assert.Contains(
            "rollout: warning: could not deactivate mcp--abc1234; it has 0% traffic, deactivate it by hand",
            result.StandardError,
            StringComparison.Ordinal);
        Assert.Contains("rollout: error: rollout of mcp--abc1234 failed; traffic stays on mcp--old1", result.StandardError, StringComparison.Ordinal);
        AssertTrafficNeverMovedToTheNewRevision(result);
    }
}

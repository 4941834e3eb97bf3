namespace Prynai.Tests.Deployment;

/// <summary>
/// The rollout and stage commands of deploy/rollout.ps1 against fake az/dotnet/git/smoke executables (see
/// <see cref="RolloutHarness"/>): the exact Azure CLI calls, a failed smoke test that must leave the traffic alone,
/// stage's outputs for the deploy workflow, and that no secret is ever printed.
/// </summary>
public sealed class RolloutCommandTests
{
    private const string Rg = RolloutHarness.ResourceGroup;
    private const string PromoteNewRevision = $"az containerapp ingress traffic set -g {Rg} -n mcp --revision-weight mcp--abc1234=100";

    [Fact]
    public async Task Rollout_SmokePasses_PinsOldRevision_PublishesImage_SmokesNewRevision_ThenPromotesIt()
    {
        using var rollout = new RolloutHarness();

        var result = await rollout.RunAsync("rollout");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal([.. RolloutHarness.CallsUntilSmoke("mcp--old1"), PromoteNewRevision], result.Calls);
        Assert.Contains("Promoted mcp--abc1234", result.StandardOutput, StringComparison.Ordinal);
        RolloutHarness.AssertNoSecretPrinted(result);
    }

    [Fact]
    public async Task Stage_SmokePasses_LeavesTheTrafficWhereItWas_AndReportsRevisionAndFqdn()
    {
        using var rollout = new RolloutHarness();
        rollout.Write("github-output.txt", "earlier=step\n");
        rollout.Environment["GITHUB_OUTPUT"] = Path.Combine(rollout.Directory, "github-output.txt");

        var result = await rollout.RunAsync("stage");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(RolloutHarness.CallsUntilSmoke("mcp--old1"), result.Calls);
        var lines = result.StandardOutput.Split('\n', StringSplitOptions.TrimEntries);
        Assert.Contains("revision=mcp--abc1234", lines);
        Assert.Contains($"fqdn={RolloutHarness.NewRevisionFqdn}", lines);
        Assert.DoesNotContain("Promoted", result.Output, StringComparison.Ordinal);
        Assert.Equal($"earlier=step\nrevision=mcp--abc1234\nfqdn={RolloutHarness.NewRevisionFqdn}\n", rollout.Read("github-output.txt"));
        RolloutHarness.AssertNoSecretPrinted(result);
    }

    [Fact]
    public async Task Stage_WithoutGitHubOutput_OnlyPrintsRevisionAndFqdn()
    {
        using var rollout = new RolloutHarness();

        var result = await rollout.RunAsync("stage");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("revision=mcp--abc1234", result.StandardOutput.Split('\n', StringSplitOptions.TrimEntries));
        Assert.False(rollout.Exists("github-output.txt"));
    }

    [Fact]
    public async Task Rollout_UsesAppImageAndTagFromEnvironment_WithoutAskingGit()
    {
        using var rollout = new RolloutHarness();
        rollout.Environment["AZURE_CONTAINER_APP"] = "prynai";
        rollout.Environment["IMAGE_NAME"] = "mcp-server";
        rollout.Environment["TAG"] = "release-42";
        rollout.Environment["AZURE_CONTAINER_REGISTRY_ENDPOINT"] = "https://otheracr.azurecr.io/";
        rollout.Write("traffic.json", """[{"revisionName":"prynai--release-41","weight":100}]""");

        var result = await rollout.RunAsync("rollout");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain(result.Calls, call => call.StartsWith("git ", StringComparison.Ordinal));
        Assert.Contains("az acr login --name otheracr --expose-token --query accessToken -o tsv", result.Calls);
        Assert.Contains("dotnet publish McpServer/McpServer.csproj -c Release --os linux --arch x64 -t:PublishContainer -p:ContainerRegistry=otheracr.azurecr.io -p:ContainerRepository=mcp-server -p:ContainerImageTags=release-42", result.Calls);
        Assert.Contains($"az containerapp update -g {Rg} -n prynai --image otheracr.azurecr.io/mcp-server:release-42 --revision-suffix release-42 -o json", result.Calls);
        Assert.Equal($"az containerapp ingress traffic set -g {Rg} -n prynai --revision-weight prynai--release-42=100", result.Calls[^1]);
    }

    [Fact]
    public async Task Rollout_TrafficFollowsLatestRevision_PinsTheLatestReadyRevisionByName()
    {
        // An app created in single-revision mode routes by "latestRevision" and names no revision.
        using var rollout = new RolloutHarness();
        rollout.Write("traffic.json", """[{"latestRevision":true,"weight":100}]""");
        rollout.Write("latest-ready.txt", "mcp--first\n");

        var result = await rollout.RunAsync("rollout");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(
            [
                "git rev-parse --short HEAD",
                $"az containerapp revision set-mode -g {Rg} -n mcp --mode multiple",
                $"az containerapp ingress traffic show -g {Rg} -n mcp -o json",
                $"az containerapp show -g {Rg} -n mcp --query properties.latestReadyRevisionName -o tsv",
                $"az containerapp ingress traffic set -g {Rg} -n mcp --revision-weight mcp--first=100",
            ],
            result.Calls.Take(5));
    }

    [Theory]
    [InlineData("rollout")]
    [InlineData("stage")]
    public async Task SmokeFails_LeavesTrafficOnPreviousRevision_DeactivatesNewOne_AndFails(string command)
    {
        using var rollout = new RolloutHarness();
        rollout.Write("smoke-exit", "1");
        rollout.Environment["GITHUB_OUTPUT"] = Path.Combine(rollout.Directory, "github-output.txt");

        var result = await rollout.RunAsync(command);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            [.. RolloutHarness.CallsUntilSmoke("mcp--old1"), $"az containerapp revision deactivate -g {Rg} -n mcp --revision mcp--abc1234"],
            result.Calls);
        Assert.DoesNotContain(result.Calls, call => call.Contains("--revision-weight mcp--abc1234", StringComparison.Ordinal));
        Assert.Contains("Traffic was NOT moved: 100% stays on mcp--old1.", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("rollout: error: rollout of mcp--abc1234 failed; traffic stays on mcp--old1", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("Promoted", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("revision=", result.StandardOutput, StringComparison.Ordinal);
        Assert.False(rollout.Exists("github-output.txt"));
        RolloutHarness.AssertNoSecretPrinted(result);
    }

    [Theory]
    [InlineData("rollout")]
    [InlineData("stage")]
    public async Task NewRevisionFailsToProvision_NeitherSmokesNorMovesTraffic(string command)
    {
        using var rollout = new RolloutHarness();
        rollout.Write("revision.json", """
            {"name":"mcp--abc1234","properties":{"provisioningState":"Failed","healthState":"Unhealthy","runningState":"Failed"}}
            """);

        var result = await rollout.RunAsync(command);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            [.. RolloutHarness.CallsUntilSmoke("mcp--old1").SkipLast(1), $"az containerapp revision deactivate -g {Rg} -n mcp --revision mcp--abc1234"],
            result.Calls);
        Assert.Contains("Revision mcp--abc1234 failed to start (provisioning: failed, running: failed).", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("100% stays on mcp--old1", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollout_PublishFails_StopsBeforeCreatingARevision()
    {
        using var rollout = new RolloutHarness();
        rollout.Write("fail-publish", "");

        var result = await rollout.RunAsync("rollout");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(RolloutHarness.CallsUntilSmoke("mcp--old1").Take(6), result.Calls);
        Assert.Contains("building or pushing the image failed; nothing was deployed, traffic stays on mcp--old1", result.StandardError, StringComparison.Ordinal);
        RolloutHarness.AssertNoSecretPrinted(result);
    }

    [Fact]
    public async Task Rollout_PinningTheTrafficFails_DeploysNothing()
    {
        using var rollout = new RolloutHarness();
        rollout.Write("fail-traffic-set", "");

        var result = await rollout.RunAsync("rollout");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(RolloutHarness.CallsUntilSmoke("mcp--old1").Take(4), result.Calls);
        Assert.Contains("rollout: error: could not pin the traffic to mcp--old1; nothing was deployed", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollout_AzureCliFailsWithItsOwnExitCode_FailsWithExitCode1_NamingTheCall()
    {
        // az exits with 3 when a resource is missing; the script's own contract is 0, 1 or 2.
        using var rollout = new RolloutHarness();
        rollout.Write("fail-set-mode", "3");

        var result = await rollout.RunAsync("rollout");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(RolloutHarness.CallsUntilSmoke("mcp--old1").Take(2), result.Calls);
        Assert.Contains(
            $"rollout: error: 'az containerapp revision set-mode -g {Rg} -n mcp --mode multiple' failed (exit 3)",
            result.StandardError,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollout_NeverPrintsTheRegistryToken_AndHandsItOnlyToThePublish()
    {
        using var rollout = new RolloutHarness();

        var result = await rollout.RunAsync("rollout");

        Assert.True(result.ExitCode == 0, result.ToString());
        RolloutHarness.AssertNoSecretPrinted(result);
        Assert.Equal($"00000000-0000-0000-0000-000000000000:{RolloutHarness.RegistryToken}", rollout.Read("publish-credentials.txt"));
        Assert.Equal("unset", rollout.Read("smoke-saw-registry-password.txt"));
        Assert.DoesNotContain(result.Calls, call => call.Contains(RolloutHarness.RegistryToken, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("rollout")]
    [InlineData("stage")]
    public async Task Command_GivenAnArgument_ExitsWith2AndCallsNothing(string command)
    {
        using var rollout = new RolloutHarness();

        var result = await rollout.RunAsync(command, "mcp--abc1234");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"rollout: error: {command} takes no arguments", result.StandardError, StringComparison.Ordinal);
        Assert.Empty(result.Calls);
    }
}

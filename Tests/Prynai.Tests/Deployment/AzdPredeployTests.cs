namespace Prynai.Tests.Deployment;

/// <summary>
/// azd's predeploy hook (deploy/azd-predeploy.sh, .ps1 on Windows): after the first deployment, azd deploy would move
/// every request to a new revision at once, so the hook refuses it when the container app exists and names the
/// rollout script; the first deployment, an explicit override and a missing Azure flavour behave as documented.
/// </summary>
public sealed class AzdPredeployTests
{
    public static TheoryData<string> Shells() => RolloutHarness.Shells();

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task WhenTheContainerAppExists_AzdDeployIsRefused_NamingTheRolloutScript(string shell)
    {
        using var harness = Harness(shell);

        var result = await harness.RunScriptAsync("azd-predeploy");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("already exists", result.StandardError);
        Assert.Contains("deploy/rollout", result.StandardError);
        Assert.Contains("az containerapp show -g rg-prynai -n mcp --query name -o tsv", result.Calls);
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task TheFirstDeployment_IsAllowed(string shell)
    {
        using var harness = Harness(shell);
        harness.Write("app-missing", "");

        var result = await harness.RunScriptAsync("azd-predeploy");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Single(result.Calls);
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task AnExplicitOverride_SkipsTheCheck(string shell)
    {
        using var harness = Harness(shell);
        harness.Environment["PRYNAI_ALLOW_AZD_DEPLOY"] = "true";

        var result = await harness.RunScriptAsync("azd-predeploy");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.Calls);
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task WithoutTheAzureFlavour_NothingIsDeployed(string shell)
    {
        using var harness = Harness(shell);
        harness.Environment["PrynaiAzure"] = null;

        var result = await harness.RunScriptAsync("azd-predeploy");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("PrynaiAzure=true", result.StandardError);
        Assert.Empty(result.Calls);
    }

    private static RolloutHarness Harness(string shell)
    {
        var harness = new RolloutHarness(shell);
        harness.Environment["PrynaiAzure"] = "true";
        return harness;
    }
}

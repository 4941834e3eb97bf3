using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Deployment;

/// <summary>
/// Where deploy/rollout.sh and deploy/rollout.ps1 take their settings from (the environment first, then the azd
/// environment that <c>azd up</c> leaves behind), the errors for missing or invalid settings and arguments, and
/// shellcheck on the bash script and the fakes.
/// </summary>
public sealed class RolloutSettingsTests
{
    private const string AzdResourceGroup = "rg-from-azd";
    private const string AzdRegistry = "azdacr.azurecr.io";

    public static TheoryData<string> Shells => RolloutHarness.Shells();

    /// <summary>The two names azd may keep the registry under: prefixed by the AppHost's "env" resource, or not.</summary>
    public static TheoryData<string, string> ShellsAndAzdRegistryNames =>
        RolloutHarness.ShellsWith("ENV_AZURE_CONTAINER_REGISTRY_ENDPOINT", "AZURE_CONTAINER_REGISTRY_ENDPOINT");

    public static TheoryData<string, string> ShellsAndRequiredSettings => RolloutHarness.ShellsWith(
        "AZURE_CONTAINER_REGISTRY_ENDPOINT", "ENTRA_TENANT_ID", "ENTRA_CLIENT_SECRET", "SERVER_APP_ID_URI");

    public static TheoryData<string, string> ShellsAndInvalidTags => RolloutHarness.ShellsWith("V1.2.0", "-abc", "a--b");

    private static string AzdGet(string name) => $"azd env get-value {name}";

    private static IEnumerable<string> AzureCalls(RolloutHarness.Result result) =>
        result.Calls.Where(call => call.StartsWith("az ", StringComparison.Ordinal));

    [Theory, MemberData(nameof(ShellsAndAzdRegistryNames))]
    public async Task Rollout_AfterAzdUp_TakesResourceGroupAndRegistryFromTheAzdEnvironment(string shell, string azdRegistryName)
    {
        using var rollout = new RolloutHarness(shell);
        rollout.Environment["AZURE_RESOURCE_GROUP"] = null;
        rollout.Environment["AZURE_CONTAINER_REGISTRY_ENDPOINT"] = null;
        rollout.WriteAzdValue("AZURE_RESOURCE_GROUP", AzdResourceGroup);
        rollout.WriteAzdValue(azdRegistryName, AzdRegistry);

        var result = await rollout.RunAsync("rollout");

        Assert.True(result.ExitCode == 0, result.ToString());
        string[] azdCalls = azdRegistryName.StartsWith("ENV_", StringComparison.Ordinal)
            ? [AzdGet("AZURE_RESOURCE_GROUP"), AzdGet("ENV_AZURE_CONTAINER_REGISTRY_ENDPOINT")]
            : [AzdGet("AZURE_RESOURCE_GROUP"), AzdGet("ENV_AZURE_CONTAINER_REGISTRY_ENDPOINT"), AzdGet("AZURE_CONTAINER_REGISTRY_ENDPOINT")];
        Assert.Equal(
            [
                .. azdCalls,
                .. RolloutCommandTests.RolloutUntilSmoke("mcp--old1", AzdResourceGroup, AzdRegistry),
                $"az containerapp ingress traffic set -g {AzdResourceGroup} -n mcp --revision-weight mcp--abc1234=100",
            ],
            result.Calls);
        Assert.Equal(RepositoryPaths.Root, rollout.Read("azd-cwd.txt"));
        Assert.Contains($"AZURE_RESOURCE_GROUP={AzdResourceGroup} (from the azd environment)", result.StandardOutput, StringComparison.Ordinal);
        RolloutCommandTests.AssertNoSecretPrinted(result);
    }

    [Theory, MemberData(nameof(Shells))]
    public async Task Rollout_SettingsInTheEnvironment_WinOverTheAzdEnvironment(string shell)
    {
        using var rollout = new RolloutHarness(shell);
        rollout.WriteAzdValue("AZURE_RESOURCE_GROUP", AzdResourceGroup);
        rollout.WriteAzdValue("ENV_AZURE_CONTAINER_REGISTRY_ENDPOINT", AzdRegistry);

        var result = await rollout.RunAsync("rollout");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(
            [
                .. RolloutCommandTests.RolloutUntilSmoke("mcp--old1"),
                $"az containerapp ingress traffic set -g {RolloutHarness.ResourceGroup} -n mcp --revision-weight mcp--abc1234=100",
            ],
            result.Calls);
        Assert.DoesNotContain("from the azd environment", result.Output, StringComparison.Ordinal);
    }

    [Theory, MemberData(nameof(Shells))]
    public async Task Status_TakesOnlyTheResourceGroupFromTheAzdEnvironment(string shell)
    {
        using var rollout = new RolloutHarness(shell);
        rollout.Environment["AZURE_RESOURCE_GROUP"] = null;
        rollout.Environment["AZURE_CONTAINER_REGISTRY_ENDPOINT"] = null;
        rollout.WriteAzdValue("AZURE_RESOURCE_GROUP", AzdResourceGroup);
        rollout.Write("revisions.json", "[]");

        var result = await rollout.RunAsync("status");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal([AzdGet("AZURE_RESOURCE_GROUP"), $"az containerapp revision list -g {AzdResourceGroup} -n mcp -o json"], result.Calls);
    }

    [Theory, MemberData(nameof(Shells))]
    public async Task Rollout_WithoutResourceGroupAndRegistry_InEnvironmentOrAzd_NamesBoth_BeforeAnyAzureCall(string shell)
    {
        using var rollout = new RolloutHarness(shell);
        rollout.Environment["AZURE_RESOURCE_GROUP"] = null;
        rollout.Environment["AZURE_CONTAINER_REGISTRY_ENDPOINT"] = null;

        var result = await rollout.RunAsync("rollout");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            [AzdGet("AZURE_RESOURCE_GROUP"), AzdGet("ENV_AZURE_CONTAINER_REGISTRY_ENDPOINT"), AzdGet("AZURE_CONTAINER_REGISTRY_ENDPOINT")],
            result.Calls);
        Assert.Contains(
            "rollout: error: missing required setting(s): AZURE_RESOURCE_GROUP, AZURE_CONTAINER_REGISTRY_ENDPOINT. Set them in the environment",
            result.StandardError,
            StringComparison.Ordinal);
        Assert.Contains("can also come from the azd environment", result.StandardError, StringComparison.Ordinal);
        RolloutCommandTests.AssertNoSecretPrinted(result);
    }

    [Theory, MemberData(nameof(Shells))]
    public async Task Rollout_WithoutResourceGroup_FailsWithAClearError_BeforeAnyAzureCall(string shell)
    {
        // The fake azd has no values (RolloutHarness), so the setting is missing everywhere.
        using var rollout = new RolloutHarness(shell);
        rollout.Environment["AZURE_RESOURCE_GROUP"] = null;

        var result = await rollout.RunAsync("rollout");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("missing required setting(s): AZURE_RESOURCE_GROUP.", result.StandardError, StringComparison.Ordinal);
        Assert.Empty(AzureCalls(result));
        RolloutCommandTests.AssertNoSecretPrinted(result);
    }

    [Theory, MemberData(nameof(ShellsAndRequiredSettings))]
    public async Task Rollout_WithoutARequiredSetting_NamesIt_BeforeAnyAzureCall(string shell, string variable)
    {
        using var rollout = new RolloutHarness(shell);
        rollout.Environment[variable] = null;

        var result = await rollout.RunAsync("rollout");

        Assert.Equal(2, result.ExitCode);
        var named = variable == "ENTRA_TENANT_ID" ? "ENTRA_TENANT_ID (or ENTRA_AUTHORITY)" : variable;
        Assert.Contains($"missing required setting(s): {named}.", result.StandardError, StringComparison.Ordinal);
        Assert.Empty(AzureCalls(result));
        RolloutCommandTests.AssertNoSecretPrinted(result);
    }

    [Theory, MemberData(nameof(ShellsAndInvalidTags))]
    public async Task Rollout_WithTagThatCannotBeARevisionSuffix_Fails_BeforeAnyAzureCall(string shell, string tag)
    {
        using var rollout = new RolloutHarness(shell);
        rollout.Environment["TAG"] = tag;

        var result = await rollout.RunAsync("rollout");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"TAG '{tag}' cannot be a revision suffix", result.StandardError, StringComparison.Ordinal);
        Assert.Empty(result.Calls);
    }

    [Theory, MemberData(nameof(Shells))]
    public async Task NoArguments_PrintsUsage_AndCallsNothing(string shell)
    {
        using var rollout = new RolloutHarness(shell);

        var result = await rollout.RunAsync();

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"Usage: {rollout.ScriptName} COMMAND [ARGS]", result.StandardOutput, StringComparison.Ordinal);
        foreach (var command in new[] { "rollout", "stage", "promote REVISION", "rollback", "status", "AZURE_RESOURCE_GROUP", "ENV_AZURE_CONTAINER_REGISTRY_ENDPOINT" })
        {
            Assert.Contains(command, result.StandardOutput, StringComparison.Ordinal);
        }
        Assert.Empty(result.Calls);
    }

    [Theory, MemberData(nameof(Shells))]
    public async Task UnknownCommand_Fails(string shell)
    {
        using var rollout = new RolloutHarness(shell);

        var result = await rollout.RunAsync("deploy-everything");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("rollout: error: unknown command 'deploy-everything'", result.StandardError, StringComparison.Ordinal);
        Assert.Empty(result.Calls);
    }

    [Fact]
    public async Task Shellcheck_FindsNothing_InTheDeployScriptsAndTheFakes()
    {
        using var harness = new RolloutHarness("bash");
        var scripts = Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "deploy"), "*.sh")
            .Concat(Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "Tests", "Prynai.Tests", "Deployment", "fakes")))
            .Order(StringComparer.Ordinal)
            .ToArray();
        Assert.Contains(scripts, s => s.EndsWith("rollout.sh", StringComparison.Ordinal));
        Assert.Contains(scripts, s => s.EndsWith("azd", StringComparison.Ordinal));

        var result = await harness.RunProgramAsync(await DebianPackages.EnsureAsync("shellcheck", "shellcheck"), scripts);

        Assert.True(result.ExitCode == 0, result.ToString());
    }
}

using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Deployment;

/// <summary>
/// Where deploy/rollout.ps1 takes its settings from (the environment first, then the azd environment that
/// <c>azd up</c> leaves behind), the errors for missing or invalid settings and arguments, and its usage text.
/// </summary>
public sealed class RolloutSettingsTests
{
    private const string AzdResourceGroup = "rg-from-azd";
    private const string AzdRegistry = "azdacr.azurecr.io";

    private static string AzdGet(string name) => $"azd env get-value {name}";

    private static IEnumerable<string> AzureCalls(RolloutHarness.Result result) =>
        result.Calls.Where(call => call.StartsWith("az ", StringComparison.Ordinal));

    [Theory]
    [InlineData("ENV_AZURE_CONTAINER_REGISTRY_ENDPOINT")]
    [InlineData("AZURE_CONTAINER_REGISTRY_ENDPOINT")]
    public async Task Rollout_AfterAzdUp_TakesResourceGroupAndRegistryFromTheAzdEnvironment(string azdRegistryName)
    {
        using var rollout = new RolloutHarness();
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
                .. RolloutHarness.CallsUntilSmoke("mcp--old1", AzdResourceGroup, AzdRegistry),
                $"az containerapp ingress traffic set -g {AzdResourceGroup} -n mcp --revision-weight mcp--abc1234=100",
            ],
            result.Calls);
        Assert.Equal(RepositoryPaths.Root, rollout.Read("azd-cwd.txt"));
        Assert.Contains($"AZURE_RESOURCE_GROUP={AzdResourceGroup} (from the azd environment)", result.StandardOutput, StringComparison.Ordinal);
        RolloutHarness.AssertNoSecretPrinted(result);
    }

    [Fact]
    public async Task Rollout_SettingsInTheEnvironment_WinOverTheAzdEnvironment()
    {
        using var rollout = new RolloutHarness();
        rollout.WriteAzdValue("AZURE_RESOURCE_GROUP", AzdResourceGroup);
        rollout.WriteAzdValue("ENV_AZURE_CONTAINER_REGISTRY_ENDPOINT", AzdRegistry);

        var result = await rollout.RunAsync("rollout");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(
            [
                .. RolloutHarness.CallsUntilSmoke("mcp--old1"),
                $"az containerapp ingress traffic set -g {RolloutHarness.ResourceGroup} -n mcp --revision-weight mcp--abc1234=100",
            ],
            result.Calls);
        Assert.DoesNotContain("from the azd environment", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_TakesOnlyTheResourceGroupFromTheAzdEnvironment()
    {
        using var rollout = new RolloutHarness();
        rollout.Environment["AZURE_RESOURCE_GROUP"] = null;
        rollout.Environment["AZURE_CONTAINER_REGISTRY_ENDPOINT"] = null;
        rollout.WriteAzdValue("AZURE_RESOURCE_GROUP", AzdResourceGroup);
        rollout.Write("revisions.json", "[]");

        var result = await rollout.RunAsync("status");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal([AzdGet("AZURE_RESOURCE_GROUP"), $"az containerapp revision list -g {AzdResourceGroup} -n mcp -o json"], result.Calls);
    }

    [Fact]
    public async Task Rollout_WithoutResourceGroupAndRegistry_InEnvironmentOrAzd_NamesBoth_BeforeAnyAzureCall()
    {
        using var rollout = new RolloutHarness();
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
        RolloutHarness.AssertNoSecretPrinted(result);
    }

    [Fact]
    public async Task Rollout_WithoutResourceGroup_FailsWithAClearError_BeforeAnyAzureCall()
    {
        // The fake azd has no values (RolloutHarness), so the setting is missing everywhere.
        using var rollout = new RolloutHarness();
        rollout.Environment["AZURE_RESOURCE_GROUP"] = null;

        var result = await rollout.RunAsync("rollout");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("missing required setting(s): AZURE_RESOURCE_GROUP.", result.StandardError, StringComparison.Ordinal);
        Assert.Empty(AzureCalls(result));
        RolloutHarness.AssertNoSecretPrinted(result);
    }

    [Theory]
    [InlineData("AZURE_CONTAINER_REGISTRY_ENDPOINT")]
    [InlineData("ENTRA_TENANT_ID")]
    [InlineData("ENTRA_CLIENT_SECRET")]
    [InlineData("SERVER_APP_ID_URI")]
    public async Task Rollout_WithoutARequiredSetting_NamesIt_BeforeAnyAzureCall(string variable)
    {
        using var rollout = new RolloutHarness();
        rollout.Environment[variable] = null;

        var result = await rollout.RunAsync("rollout");

        Assert.Equal(2, result.ExitCode);
        var named = variable == "ENTRA_TENANT_ID" ? "ENTRA_TENANT_ID (or ENTRA_AUTHORITY)" : variable;
        Assert.Contains($"missing required setting(s): {named}.", result.StandardError, StringComparison.Ordinal);
        Assert.Empty(AzureCalls(result));
        RolloutHarness.AssertNoSecretPrinted(result);
    }

    [Fact]
    public async Task Rollout_WithEntraAuthorityInsteadOfTenantId_Proceeds()
    {
        using var rollout = new RolloutHarness();
        rollout.Environment["ENTRA_TENANT_ID"] = null;
        rollout.Environment["ENTRA_AUTHORITY"] = "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0";

        var result = await rollout.RunAsync("rollout");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Promoted mcp--abc1234", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutTheAzureCli_FailsWithExitCode2_SayingWhatToInstall()
    {
        using var rollout = new RolloutHarness();
        File.Delete(Path.Combine(rollout.FakesDirectory, "az"));
        // Only the fakes: an Azure CLI installed on the machine running the tests must not be found either.
        rollout.Environment["PATH"] = rollout.FakesDirectory;

        var result = await rollout.RunAsync("status");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("rollout: error: 'az' was not found on PATH (install the Azure CLI and run 'az login')", result.StandardError, StringComparison.Ordinal);
        Assert.Empty(result.Calls);
    }

    [Fact]
    public async Task Rollout_WithoutTagOutsideAGitRepository_FailsWithExitCode2_BeforeAnyAzureCall()
    {
        using var rollout = new RolloutHarness();
        rollout.Write("fail-git", "");

        var result = await rollout.RunAsync("rollout");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(["git rev-parse --short HEAD"], result.Calls);
        Assert.Contains("rollout: error: TAG is not set and 'git rev-parse --short HEAD' failed", result.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("V1.2.0")]
    [InlineData("-abc")]
    [InlineData("a--b")]
    public async Task Rollout_WithTagThatCannotBeARevisionSuffix_Fails_BeforeAnyAzureCall(string tag)
    {
        using var rollout = new RolloutHarness();
        rollout.Environment["TAG"] = tag;

        var result = await rollout.RunAsync("rollout");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"TAG '{tag}' cannot be a revision suffix", result.StandardError, StringComparison.Ordinal);
        Assert.Empty(result.Calls);
    }

    [Theory]
    [InlineData("rollout", "PRYNAI_READY_TIMEOUT", "ten")]
    [InlineData("stage", "PRYNAI_READY_INTERVAL", "-1")]
    public async Task WithAReadinessSettingThatIsNotWholeSeconds_Fails_BeforeAnythingIsDeployed(string command, string variable, string value)
    {
        using var rollout = new RolloutHarness();
        rollout.Environment["TAG"] = "abc1234";
        rollout.Environment[variable] = value;

        var result = await rollout.RunAsync(command);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(
            "rollout: error: PRYNAI_READY_TIMEOUT and PRYNAI_READY_INTERVAL must be whole numbers of seconds",
            result.StandardError,
            StringComparison.Ordinal);
        Assert.Empty(result.Calls);
    }

    [Fact]
    public async Task NoArguments_PrintsUsage_AndCallsNothing()
    {
        using var rollout = new RolloutHarness();

        var result = await rollout.RunAsync();

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(RolloutHarness.UsageLine, result.StandardOutput, StringComparison.Ordinal);
        foreach (var command in new[] { "rollout", "stage", "promote REVISION", "rollback", "status", "AZURE_RESOURCE_GROUP", "ENV_AZURE_CONTAINER_REGISTRY_ENDPOINT" })
        {
            Assert.Contains(command, result.StandardOutput, StringComparison.Ordinal);
        }
        Assert.Empty(result.Calls);
    }

    [Theory]
    [InlineData("help")]
    [InlineData("-h")]
    [InlineData("--help")]
    public async Task Help_PrintsUsage_AndSucceeds(string argument)
    {
        using var rollout = new RolloutHarness();

        var result = await rollout.RunAsync(argument);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith(RolloutHarness.UsageLine, result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("PRYNAI_SMOKE_COMMAND", result.StandardOutput, StringComparison.Ordinal);
        Assert.Equal("", result.StandardError);
        Assert.Empty(result.Calls);
    }

    [Theory]
    [InlineData("deploy-everything")]
    [InlineData("Rollout")]
    public async Task UnknownCommand_Fails(string command)
    {
        using var rollout = new RolloutHarness();

        var result = await rollout.RunAsync(command);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"rollout: error: unknown command '{command}'", result.StandardError, StringComparison.Ordinal);
        Assert.Empty(result.Calls);
    }
}

using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Deployment;

/// <summary>
/// azd's hooks (azure.yaml), in PowerShell 7 on every platform. preprovision refuses to run without the AppHost's Azure
/// flavour. predeploy (deploy/azd-predeploy.ps1): after the first deployment, azd deploy would move every request to a
/// new revision at once, so the hook refuses it when the container app exists and names the rollout script; the first
/// deployment, an explicit override, a missing Azure flavour and an az that cannot tell behave as documented.
/// </summary>
public sealed class AzdHookTests
{
    private static readonly string Predeploy = Path.Combine(RepositoryPaths.Root, "deploy", "azd-predeploy.ps1");

    [Fact]
    public async Task WhenTheContainerAppExists_AzdDeployIsRefused_NamingTheRolloutScript()
    {
        using var harness = Harness();

        var result = await harness.RunPowerShellAsync(Predeploy);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("already exists", result.StandardError);
        Assert.Contains("pwsh deploy/rollout.ps1", result.StandardError);
        Assert.Equal(["az containerapp show -g rg-prynai -n mcp --query name -o tsv"], result.Calls);
    }

    [Fact]
    public async Task TheFirstDeployment_IsAllowed()
    {
        using var harness = Harness();
        harness.Write("app-missing", "");

        var result = await harness.RunPowerShellAsync(Predeploy);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Single(result.Calls);
        Assert.Equal("", result.StandardError);
    }

    [Fact]
    public async Task AnExplicitOverride_SkipsTheCheck()
    {
        using var harness = Harness();
        harness.Environment["PRYNAI_ALLOW_AZD_DEPLOY"] = "true";

        var result = await harness.RunPowerShellAsync(Predeploy);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.Calls);
    }

    [Fact]
    public async Task WithoutTheAzureFlavour_NothingIsDeployed()
    {
        using var harness = Harness();
        harness.Environment["PrynaiAzure"] = null;

        var result = await harness.RunPowerShellAsync(Predeploy);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("PrynaiAzure=true", result.StandardError);
        Assert.Empty(result.Calls);
    }

    [Fact]
    public async Task WhenAzCannotTellWhetherTheAppExists_ItSaysSo_AndLetsAzdGoOn()
    {
        using var harness = Harness();
        harness.Write("fail-show", "");

        var result = await harness.RunPowerShellAsync(Predeploy);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("could not check whether container app 'mcp' exists (ERROR: (fake) show failed)", result.StandardError);
        Assert.Contains("pwsh deploy/rollout.ps1", result.StandardError);
    }

    [Fact]
    public async Task WithoutAResourceGroup_ItSaysItCannotCheck_AndAsksNothing()
    {
        using var harness = Harness();
        harness.Environment["AZURE_RESOURCE_GROUP"] = null;

        var result = await harness.RunPowerShellAsync(Predeploy);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("cannot check whether container app 'mcp' exists", result.StandardError);
        Assert.Empty(result.Calls);
    }

    [Fact]
    public void AzureYaml_RunsEveryHookInPowerShell_TheSameOnEveryPlatform()
    {
        var hooks = AzureYamlHooks();

        Assert.Equal(["preprovision", "predeploy"], hooks.Keys);
        Assert.All(hooks.Values, hook => Assert.Equal("pwsh", hook.GetValueOrDefault("shell")));
        Assert.All(hooks.Values, hook => Assert.Equal(["run", "shell"], hook.Keys.Order(StringComparer.Ordinal)));
        Assert.Equal("deploy/azd-predeploy.ps1", hooks["predeploy"]["run"]);
        Assert.True(File.Exists(Path.Combine(RepositoryPaths.Root, hooks["predeploy"]["run"])));
    }

    [Theory]
    [InlineData(null, 1)]
    [InlineData("false", 1)]
    [InlineData("true", 0)]
    public async Task ThePreprovisionHook_RunsOnlyForTheAzureFlavour(string? prynaiAzure, int exitCode)
    {
        // azd writes an inline hook into a .ps1 file and runs it with pwsh.
        using var harness = new RolloutHarness();
        harness.Environment["PrynaiAzure"] = prynaiAzure;
        var script = Path.Combine(harness.Directory, "azd-preprovision.ps1");
        File.WriteAllText(script, AzureYamlHooks()["preprovision"]["run"]);

        var result = await harness.RunPowerShellAsync(script);

        Assert.True(result.ExitCode == exitCode, result.ToString());
        if (exitCode == 0)
        {
            Assert.Equal("", result.Output);
        }
        else
        {
            Assert.Equal(
                "Set PrynaiAzure=true in the environment that runs azd: it selects the AppHost's Azure flavour (docs/deployment.md).",
                result.StandardError.Trim());
        }
    }

    private static RolloutHarness Harness()
    {
        var harness = new RolloutHarness();
        harness.Environment["PrynaiAzure"] = "true";
        return harness;
    }

    /// <summary>
    /// The hooks section of azure.yaml: hook name → its keys and values. Reads only the shape azure.yaml uses (one
    /// line per key, plain or single-quoted values) and fails on anything else, so a reshaped file fails this test
    /// instead of being misread.
    /// </summary>
    private static Dictionary<string, Dictionary<string, string>> AzureYamlHooks()
    {
        var hooks = new Dictionary<string, Dictionary<string, string>>();
        var inHooks = false;
        Dictionary<string, string>? hook = null;
        foreach (var line in File.ReadLines(Path.Combine(RepositoryPaths.Root, "azure.yaml")))
        {
            if (line.TrimStart().StartsWith('#') || line.Trim().Length == 0)
            {
                continue;
            }
            if (!line.StartsWith(' '))
            {
                inHooks = line == "hooks:";
                continue;
            }
            if (!inHooks)
            {
                continue;
            }
            if (line.StartsWith("  ", StringComparison.Ordinal) && line[2] != ' ' && line.EndsWith(':'))
            {
                hooks[line.Trim().TrimEnd(':')] = hook = [];
                continue;
            }
            var separator = line.IndexOf(": ", StringComparison.Ordinal);
            Assert.True(hook is not null && line.StartsWith("    ", StringComparison.Ordinal) && line[4] != ' ' && separator > 0,
                $"azure.yaml's hooks have a shape this test does not read: '{line}'");
            var value = line[(separator + 2)..].Trim();
            if (value.StartsWith('\''))
            {
                Assert.True(value.Length > 1 && value.EndsWith('\''), $"unterminated quoted value in azure.yaml: '{line}'");
                value = value[1..^1].Replace("''", "'", StringComparison.Ordinal);
            }
            hook![line[..separator].Trim()] = value;
        }
        return hooks;
    }
}

using System.Text.Json.Nodes;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Deployment;

/// <summary>
/// The images <c>dotnet publish -t:PublishContainer</c> builds (and azd pushes): what the .NET SDK computes for them,
/// read with MSBuild's ComputeContainerConfig target, which needs no Docker and no registry.
/// </summary>
public sealed class ContainerImageTests
{
    [Fact]
    public async Task ServerImage_IsChiseledNonRoot_AndListensOn8080()
    {
        var config = await ContainerConfigAsync("McpServer/McpServer.csproj");

        Assert.Equal("mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled", config.Property("ContainerBaseImage"));
        Assert.Equal("app", config.Property("ContainerUser"));
        Assert.Equal("prynai-mcp", config.Property("ContainerRepository"));
        Assert.Equal(["8080"], config.Items("ContainerPort").Select(port => port["Identity"]!.GetValue<string>()));
        var labels = config.Items("ContainerLabel").ToDictionary(label => label["Identity"]!.GetValue<string>(), label => label["Value"]!.GetValue<string>());
        Assert.Equal("Prynai MCP server", labels["org.opencontainers.image.title"]);
        Assert.Contains("org.opencontainers.image.description", labels.Keys);
        var environment = config.Items("ContainerEnvironmentVariable").ToDictionary(item => item["Identity"]!.GetValue<string>(), item => item["Value"]!.GetValue<string>());
        Assert.Equal("8080", environment["ASPNETCORE_HTTP_PORTS"]);
        Assert.StartsWith("/tmp/", environment["State__SqlitePath"]);
        Assert.StartsWith("/tmp/", environment["Support__SqlitePath"]);
    }

    [Fact]
    public async Task SmokeClientImage_IsAChiseledRuntimeImage()
    {
        var config = await ContainerConfigAsync("SmokeClient/SmokeClient.csproj");

        Assert.Equal("mcr.microsoft.com/dotnet/runtime:10.0-noble-chiseled", config.Property("ContainerBaseImage"));
        Assert.Equal("prynai-smoke", config.Property("ContainerRepository"));
    }

    [Fact]
    public async Task Server_IsPublishedReadyToRunForARuntime_AndBuiltWithoutIt()
    {
        // The image build names its runtime (deploy/rollout.ps1: --os linux --arch x64); build, test and run name none.
        Assert.Equal("true", await ServerPropertyAsync("PublishReadyToRun", "-p:RuntimeIdentifier=linux-x64"));
        Assert.Equal("", await ServerPropertyAsync("PublishReadyToRun"));
    }

    private static async Task<string> ServerPropertyAsync(string name, params string[] properties)
    {
        var result = await CommandRunner.RunAsync("dotnet",
            ["msbuild", Path.Combine(RepositoryPaths.Root, "McpServer/McpServer.csproj"), "-nologo", $"-getProperty:{name}", .. properties],
            TimeSpan.FromMinutes(3));
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.StandardOutput.Trim();
    }

    private static async Task<ContainerConfig> ContainerConfigAsync(string project)
    {
        var result = await CommandRunner.RunAsync("dotnet",
            ["msbuild", Path.Combine(RepositoryPaths.Root, project), "-t:ComputeContainerConfig", "-nologo",
             "-getProperty:ContainerBaseImage", "-getProperty:ContainerUser", "-getProperty:ContainerRepository",
             "-getItem:ContainerPort", "-getItem:ContainerLabel", "-getItem:ContainerEnvironmentVariable"],
            TimeSpan.FromMinutes(3));
        Assert.True(result.ExitCode == 0, result.ToString());
        return new ContainerConfig(JsonNode.Parse(result.StandardOutput)!.AsObject());
    }

    private sealed record ContainerConfig(JsonObject Output)
    {
        public string? Property(string name) => Output["Properties"]?[name]?.GetValue<string>();

        public IEnumerable<JsonObject> Items(string name) => Output["Items"]?[name]?.AsArray().Select(item => item!.AsObject()) ?? [];
    }
}

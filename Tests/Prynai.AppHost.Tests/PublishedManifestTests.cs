using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Prynai.AppHost.Tests;

/// <summary>
/// The committed aspire-manifest.json is what azd deploys from: it must be what the AppHost publishes. This runs the
/// same command azd runs (<c>dotnet run --project AppHost -- --publisher manifest</c>) and compares resource by
/// resource. Deployment modules (bicep parameters Aspire derives) are compared by type and path only.
/// </summary>
public sealed class PublishedManifestTests
{
    /// <summary>
    /// Both ways to publish it: the manifest publisher (what azd runs) and the pipeline step the Aspire CLI runs for
    /// <c>aspire do publish-manifest --output-path DIR</c> (the CLI starts the AppHost with these arguments).
    /// </summary>
    [Theory]
    [InlineData("--publisher manifest --output-path {0}/aspire-manifest.json")]
    [InlineData("--operation publish --step publish-manifest --output-path {0}")]
    public async Task CommittedManifest_IsWhatTheAppHostPublishes(string arguments)
    {
        var output = Directory.CreateTempSubdirectory("prynai-manifest");
        try
        {
            var generatedPath = Path.Combine(output.FullName, "aspire-manifest.json");
            await PublishAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, arguments, output.FullName).Split(' '));
            var committed = Resources(Path.Combine(RepositoryRoot, "aspire-manifest.json"));
            var generated = Resources(generatedPath);

            Assert.Equal(committed.Keys.Order(), generated.Keys.Order());
            foreach (var (name, expected) in committed)
            {
                Assert.True(JsonNode.DeepEquals(Comparable(expected), Comparable(generated[name])),
                    $"Resource '{name}' differs.\ncommitted: {Comparable(expected)}\npublished: {Comparable(generated[name])}\n" +
                    "Regenerate: dotnet run --project AppHost -- --publisher manifest --output-path ../aspire-manifest.json");
            }
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    /// <summary>
    /// <c>aspire publish</c> (step publish) has nothing to write for the local flavour: no compute environment is in
    /// its model (the Azure flavour's Container Apps environment writes Bicep). It succeeds and writes nothing.
    /// </summary>
    [Fact]
    public async Task AspirePublishOfTheLocalFlavour_Succeeds_AndWritesNothing()
    {
        var output = Path.Combine(Path.GetTempPath(), $"prynai-publish-{Guid.NewGuid():N}");
        try
        {
            await PublishAsync(["--operation", "publish", "--step", "publish", "--output-path", output]);

            Assert.False(Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any(), $"{output} holds files");
        }
        finally
        {
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }

    /// <summary>The manifest's server port is the one the image listens on and the Azure flavour's probes use.</summary>
    [Fact]
    public void ServersHttpEndpoint_IsPublishedOnTheImagesPort()
    {
        var server = Resources(Path.Combine(RepositoryRoot, "aspire-manifest.json"))["mcp"];

        Assert.Equal(ServerContainer.HttpPort, server["bindings"]!["http"]!["targetPort"]!.GetValue<int>());
        Assert.Equal("{mcp.bindings.http.targetPort}", server["env"]!["HTTP_PORTS"]!.GetValue<string>());
    }

    private static string RepositoryRoot
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "aspire-manifest.json")))
                {
                    return directory.FullName;
                }
            }
            throw new InvalidOperationException("aspire-manifest.json not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>Runs the built AppHost with these arguments, as azd or the Aspire CLI does.</summary>
    private static async Task PublishAsync(string[] arguments)
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var start = new ProcessStartInfo("dotnet",
            ["run", "--project", Path.Combine(RepositoryRoot, "AppHost"), "--no-build", "--no-launch-profile", "-c", configuration, "--", .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"publishing ({string.Join(' ', arguments)}) failed:\n{await stdout}\n{await stderr}");
    }

    /// <summary>Each resource of a manifest, with project paths made absolute (they are relative to the manifest).</summary>
    private static Dictionary<string, JsonObject> Resources(string manifestPath)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!.AsObject();
        var resources = new Dictionary<string, JsonObject>();
        foreach (var (name, node) in manifest["resources"]!.AsObject())
        {
            var resource = node!.AsObject().DeepClone().AsObject();
            if (resource["type"]?.GetValue<string>() is "project.v1" or "project.v0")
            {
                var relative = resource["path"]!.GetValue<string>();
                resource["path"] = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(manifestPath)!, relative));
            }
            resources[name] = resource;
        }
        return resources;
    }

    private static JsonObject Comparable(JsonObject resource)
    {
        var copy = resource.DeepClone().AsObject();
        if (copy["deployment"] is JsonObject deployment)
        {
            copy["deployment"] = new JsonObject { ["type"] = deployment["type"]?.DeepClone(), ["path"] = deployment["path"]?.DeepClone() };
        }
        return copy;
    }
}

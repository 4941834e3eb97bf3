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
    [Fact]
    public async Task The_committed_manifest_is_what_the_AppHost_publishes()
    {
        var output = Directory.CreateTempSubdirectory("prynai-manifest");
        try
        {
            var generatedPath = Path.Combine(output.FullName, "aspire-manifest.json");
            await PublishManifestAsync(generatedPath);
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

    private static async Task PublishManifestAsync(string outputPath)
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var start = new ProcessStartInfo("dotnet",
            ["run", "--project", Path.Combine(RepositoryRoot, "AppHost"), "--no-build", "-c", configuration, "--",
             "--publisher", "manifest", "--output-path", outputPath])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"manifest publishing failed:\n{await stdout}\n{await stderr}");
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

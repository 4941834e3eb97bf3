using System.Text.Json.Nodes;

namespace Prynai.Tests.Infrastructure;

/// <summary>
/// Runs the real <c>dotnet user-jwts</c> against a throwaway project and returns the settings it wrote (signing key
/// from user secrets, audience and issuer from appsettings.Development.json) plus the token, then removes its secrets.
/// </summary>
public static class UserJwts
{
    public static async Task<(Dictionary<string, string?> Settings, string Token)> CreateAsync(string role, string audience)
    {
        using var project = new TempDirectory("user-jwts");
        var secretsId = $"prynai-tests-{Guid.NewGuid():N}";
        File.WriteAllText(Path.Combine(project.Path, "Probe.csproj"),
            $"<Project Sdk=\"Microsoft.NET.Sdk.Web\"><PropertyGroup><TargetFramework>net10.0</TargetFramework><UserSecretsId>{secretsId}</UserSecretsId></PropertyGroup></Project>");
        File.WriteAllText(Path.Combine(project.Path, "appsettings.Development.json"), "{}");
        var secretsDirectory = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".microsoft", "usersecrets", secretsId);
        try
        {
            var run = await CommandRunner.RunAsync("dotnet", ["user-jwts", "create", "--role", role, "--audience", audience, "--output", "token"],
                TimeSpan.FromMinutes(2), project.Path);
            Assert.True(run.ExitCode == 0, run.ToString());

            var settings = new Dictionary<string, string?>();
            Flatten(JsonNode.Parse(File.ReadAllText(Path.Combine(project.Path, "appsettings.Development.json")))!["Authentication"]!, "Authentication", settings);
            var secrets = JsonNode.Parse(File.ReadAllText(Path.Combine(secretsDirectory, "secrets.json")))!.AsObject();
            foreach (var (key, value) in secrets)
            {
                Flatten(value!, key, settings);
            }
            return (settings, run.StandardOutput.Trim());
        }
        finally
        {
            if (Directory.Exists(secretsDirectory))
            {
                Directory.Delete(secretsDirectory, recursive: true);
            }
        }
    }

    private static void Flatten(JsonNode node, string prefix, Dictionary<string, string?> settings)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    Flatten(value!, $"{prefix}:{key}", settings);
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    Flatten(array[i]!, $"{prefix}:{i}", settings);
                }
                break;
            default:
                settings[prefix] = node.ToString();
                break;
        }
    }
}

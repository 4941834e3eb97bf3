using System.Text.Json.Nodes;

namespace Prynai.Tests.Infrastructure;

/// <summary>
/// Runs the real <c>dotnet user-jwts</c> against a throwaway project the way docs/security.md says — secrets file
/// created with <c>dotnet user-secrets set</c>, then <c>--appsettings-file</c> pointing at it, so every setting lands
/// in user secrets — checks that the project's tracked appsettings.Development.json was left alone, and returns those
/// settings plus the token; then removes the secrets.
/// </summary>
public static class UserJwts
{
    public static async Task<(Dictionary<string, string?> Settings, string Token)> CreateAsync(string role, string audience)
    {
        using var project = new TempDirectory("user-jwts");
        var secretsId = $"prynai-tests-{Guid.NewGuid():N}";
        File.WriteAllText(Path.Combine(project.Path, "Probe.csproj"),
            $"<Project Sdk=\"Microsoft.NET.Sdk.Web\"><PropertyGroup><TargetFramework>net10.0</TargetFramework><UserSecretsId>{secretsId}</UserSecretsId></PropertyGroup></Project>");
        const string Tracked = "{ \"Logging\": {} }";
        File.WriteAllText(Path.Combine(project.Path, "appsettings.Development.json"), Tracked);
        var secretsDirectory = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".microsoft", "usersecrets", secretsId);
        var secretsFile = Path.Combine(secretsDirectory, "secrets.json");
        try
        {
            var secrets = await CommandRunner.RunAsync("dotnet", ["user-secrets", "set", "Auth:Required", "true"], TimeSpan.FromMinutes(2), project.Path);
            Assert.True(secrets.ExitCode == 0, secrets.ToString());
            var run = await CommandRunner.RunAsync("dotnet",
                ["user-jwts", "create", "--role", role, "--audience", audience, "--appsettings-file", secretsFile, "--output", "token"],
                TimeSpan.FromMinutes(2), project.Path);
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal(Tracked, File.ReadAllText(Path.Combine(project.Path, "appsettings.Development.json")));

            var settings = new Dictionary<string, string?>();
            foreach (var (key, value) in JsonNode.Parse(File.ReadAllText(secretsFile))!.AsObject())
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

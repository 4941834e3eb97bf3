namespace Prynai.Tests.Infrastructure;

/// <summary>The smoke client's <c>smoke</c> command as a user runs it, to completion.</summary>
public static class SmokeCommand
{
    public static Task<CommandRunner.Result> RunAsync(string[] arguments, IDictionary<string, string?>? environment = null)
    {
        var settings = ShortLivedDotnet.Environment.ToDictionary(setting => setting.Key, setting => (string?)setting.Value);
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        return CommandRunner.RunAsync("dotnet", [RepositoryPaths.SmokeClientAssembly, "smoke", .. arguments], TimeSpan.FromMinutes(2), environment: settings);
    }
}

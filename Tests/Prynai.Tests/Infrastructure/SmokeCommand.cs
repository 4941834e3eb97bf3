namespace Prynai.Tests.Infrastructure;

/// <summary>The smoke client's <c>smoke</c> command as a user runs it, to completion.</summary>
public static class SmokeCommand
{
    public static Task<CommandRunner.Result> RunAsync(string[] arguments, IDictionary<string, string?>? environment = null) =>
        CommandRunner.RunAsync("dotnet", [RepositoryPaths.SmokeClientAssembly, "smoke", .. arguments], TimeSpan.FromMinutes(2),
            environment: new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>())
            {
                ["DOTNET_TieredCompilation"] = "0", // a run of seconds: tiered compilation only costs it (as for the servers)
            });
}

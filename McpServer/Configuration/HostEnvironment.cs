namespace Prynai.McpServer.Configuration;

/// <summary>
/// The environment a host runs in, by ASP.NET Core's documented precedence — <c>--environment</c>, then
/// <c>ASPNETCORE_ENVIRONMENT</c>, then <c>DOTNET_ENVIRONMENT</c> — made to hold for both hosts. The launch profile sets
/// <c>DOTNET_ENVIRONMENT=Development</c> (so <c>dotnet run</c> is Development by default) and
/// <c>ASPNETCORE_ENVIRONMENT=Production dotnet run --project McpServer</c> runs in Production: left to itself the host
/// builder lets the DOTNET_ variable win, and a profile that set ASPNETCORE_ENVIRONMENT would silently win over the shell.
/// </summary>
public static class HostEnvironment
{
    /// <summary>The environment to impose on the host builder, or null to leave the choice to it.</summary>
    public static string? Chosen(string[] args) =>
        args.Any(arg => arg.StartsWith("--environment", StringComparison.OrdinalIgnoreCase))
            ? null
            : Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") is { Length: > 0 } name ? name : null;

    /// <summary>The environment the host will run in: <see cref="Chosen"/>, else --environment, else DOTNET_ENVIRONMENT, else Production.</summary>
    public static string Effective(string[] args)
    {
        if (Chosen(args) is { } chosen)
        {
            return chosen;
        }
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith("--environment=", StringComparison.OrdinalIgnoreCase))
            {
                return args[i]["--environment=".Length..];
            }
            if (args[i].Equals("--environment", StringComparison.OrdinalIgnoreCase) && i + 1 < args.Length)
            {
                return args[i + 1];
            }
        }
        return Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") is { Length: > 0 } name ? name : Environments.Production;
    }
}

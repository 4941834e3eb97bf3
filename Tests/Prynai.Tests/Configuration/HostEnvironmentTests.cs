using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Configuration;

/// <summary>
/// The launch profile makes <c>dotnet run</c> Development through DOTNET_ENVIRONMENT; ASPNETCORE_ENVIRONMENT from the
/// shell must still win, for the HTTP host and for stdio alike.
/// </summary>
public sealed class HostEnvironmentTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AspNetCoreEnvironment_WinsOverTheLaunchProfilesDotnetEnvironment(bool stdio)
    {
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string?>
        {
            ["DOTNET_ENVIRONMENT"] = "Development", // what the launch profile sets
            ["Auth__Required"] = "false",
        }, aspnetEnvironment: "Production", waitHealthy: !stdio, arguments: stdio ? ["--stdio"] : []);

        await Eventually.TrueAsync(() => server.Output.Contains("Hosting environment: ", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        Assert.Contains("Hosting environment: Production", server.Output);
    }

    [Fact]
    public async Task DotnetEnvironmentAlone_StillChoosesTheEnvironment()
    {
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = null,
            ["DOTNET_ENVIRONMENT"] = "Development",
        });

        await Eventually.TrueAsync(() => server.Output.Contains("Hosting environment: ", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        Assert.Contains("Hosting environment: Development", server.Output);
    }
}

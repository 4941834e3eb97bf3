using Prynai.SmokeClient.Smoke;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Smoke;

/// <summary>What the smoke CLI shows a person: only the commands it has, and progress whose label matches its value.</summary>
public sealed class SmokeProgressTests
{
    [Fact]
    public async Task Help_ListsOnlyTheCommandsThatExist()
    {
        var help = await CommandRunner.RunAsync("dotnet", [RepositoryPaths.SmokeClientAssembly, "--help"], TimeSpan.FromMinutes(1));

        Assert.Equal(0, help.ExitCode);
        Assert.Contains("smoke", help.StandardOutput);
        Assert.Contains("token", help.StandardOutput);
        Assert.DoesNotContain("load", help.StandardOutput, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ProgressArrivingOutOfOrder_NeverShowsAnOlderStepAfterANewerOne()
    {
        var output = new StringWriter();
        var report = new SmokeReport(output, TextWriter.Null);

        var result = await report.WithProgressAsync("long_task", progress =>
        {
            // The client runs notification handlers concurrently: step 3 can overtake step 2.
            progress.Report(new ProgressUpdate(1, 3, "step 1/3"));
            progress.Report(new ProgressUpdate(3, 3, "step 3/3"));
            progress.Report(new ProgressUpdate(2, 3, "step 2/3"));
            return Task.FromResult("done");
        });

        Assert.Equal("done", result);
        Assert.Equal(["  long_task: step 1/3", "  long_task: step 3/3"], output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }
}

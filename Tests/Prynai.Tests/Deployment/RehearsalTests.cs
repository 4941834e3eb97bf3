using Prynai.Rehearsal;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Deployment;

/// <summary>
/// The zero-downtime rehearsal (deploy/rehearse.sh --quick): Redis, revision A, then B with one more tool behind
/// nginx, continuous mixed load through nginx, B smoke-tested on its own port and promoted, A drained with SIGTERM,
/// then the rollback the same way. Nothing a client sees may break; the report goes to the test output.
/// </summary>
public sealed class RehearsalTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ARolloutAndARollbackUnderLoad_FailNoRequest_LoseNothing_AndTellEveryMovedClient()
    {
        await DebianPackages.EnsureAsync("redis-server", "redis-server");
        await DebianPackages.EnsureAsync("nginx", "nginx");
        using var work = new TempDirectory("rehearsal");
        var options = new RehearsalOptions
        {
            ServerAssembly = RepositoryPaths.ServerAssembly,
            SmokeClientAssembly = RepositoryPaths.SmokeClientAssembly,
            WorkDirectory = work.Path,
        }.Quick();

        var progress = new StringWriter();
        var report = await Rehearsal.Rehearsal.RunAsync(options, progress, TestContext.Current.CancellationToken);
        report.Print(progress);
        output.WriteLine(progress.ToString());
        if (report.Problems().Count > 0 || report.ClientVisibleFailures > 0)
        {
            foreach (var log in Directory.GetFiles(work.Path, "*.log", SearchOption.AllDirectories))
            {
                output.WriteLine($"--- {Path.GetRelativePath(work.Path, log)} (last lines)");
                output.WriteLine(string.Join('\n', File.ReadAllLines(log).TakeLast(40)));
            }
        }

        Assert.Empty(report.Problems());
        Assert.Equal(0, report.ClientVisibleFailures);
        Assert.Equal(report.BumpsAcknowledged + report.SmokeBumps, report.CounterDelta);
        Assert.Equal((0, 0L), (report.GapsFound, report.UpdatesMissing));
        Assert.True(report.SessionStreamsResumed >= report.Sessions * 2, $"{report.SessionStreamsResumed} GET streams resumed");
        Assert.Equal(report.Sessions, report.SessionsToldOfEveryMove);
        Assert.Equal(report.Listeners, report.ListenersToldOfEveryMove);
        Assert.Equal(report.TasksStarted, report.TasksCompleted);
        // The longest task, started on each outgoing revision just before its promotion, outlives that revision's deadline.
        Assert.True(report.TasksHandedOver >= 2 && report.TasksClaimed == report.TasksHandedOver, $"{report.TasksHandedOver} handed over, {report.TasksClaimed} claimed");
        Assert.All(report.Drains, drain => Assert.True(drain.WithinGracePeriod, $"{drain.Revision} exited {drain.Exited.TotalSeconds:0.00} s after SIGTERM, code {drain.ExitCode}"));
        Assert.All(report.Drains, drain => Assert.True(drain.Unready < TimeSpan.FromSeconds(1), $"{drain.Revision} unready after {drain.Unready.TotalSeconds:0.00} s"));
        Assert.True(report.Duration < TimeSpan.FromMinutes(3), $"the rehearsal took {report.Duration}");
    }
}

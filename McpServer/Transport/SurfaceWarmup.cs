using Microsoft.Extensions.Diagnostics.HealthChecks;
using Prynai.McpServer.Revisions;
using Prynai.McpServer.Transport.Stateless;

namespace Prynai.McpServer.Transport;

/// <summary>
/// Builds what answering MCP needs — every tool, prompt and resource with its JSON schema, the stateless servers'
/// options and a first pooled server, the lists' fingerprint — as the host starts, on the thread pool beside the rest of the start instead of on
/// the first request. Readiness (<c>tools</c>) says yes once it is done — a probe that comes earlier waits for it — so a
/// replica is never ready before every tool can answer, and is ready about as soon as its listener is.
/// </summary>
internal sealed partial class SurfaceWarmup(
    ServerOptionsOnDemand options,
    StatelessServerOptions stateless,
    StatelessServerPool pool,
    ServedSurface surface,
    ILogger<SurfaceWarmup> logger) : IHostedLifecycleService, IHealthCheck
{
    public const string Name = "tools";

    /// <summary>How long a readiness probe waits for the build before it answers "not yet".</summary>
    private static readonly TimeSpan ProbeWait = TimeSpan.FromSeconds(10);

    private Task _built = Task.CompletedTask;

    /// <summary>Before any hosted service starts (the listener's included), so the work overlaps theirs.</summary>
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        _built = Task.Run(async () =>
        {
            _ = options.Value;
            _ = stateless.PerRequest;
            _ = surface.Fingerprint;
            // The first stateless request finds a server waiting in the pool.
            await pool.ReturnAsync(pool.Rent(), reusable: true);
        }, CancellationToken.None);
        _built.ContinueWith(failed => LogFailed(logger, failed.Exception!), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await _built.WaitAsync(ProbeWait, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return _built.Status switch
        {
            TaskStatus.RanToCompletion => HealthCheckResult.Healthy(),
            TaskStatus.Faulted => HealthCheckResult.Unhealthy("the tools, prompts and resources could not be built; see the log", _built.Exception),
            _ => HealthCheckResult.Degraded("the tools, prompts and resources are being prepared"),
        };
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Building the tools, prompts and resources failed; this replica cannot answer MCP requests")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}

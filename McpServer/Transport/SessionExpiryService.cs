using Microsoft.Extensions.Options;

namespace Prynai.McpServer.Transport;

/// <summary>Drops idle legacy sessions from this replica and keeps the shared records of streaming ones alive.</summary>
internal sealed partial class SessionExpiryService(
    SessionTable sessions,
    SessionReplyRouter replies,
    IOptions<McpTransportOptions> options,
    TimeProvider time,
    ILogger<SessionExpiryService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = TimeSpan.FromTicks(Math.Clamp(options.Value.SessionIdleTimeout.Ticks / 4, TimeSpan.FromMilliseconds(250).Ticks, TimeSpan.FromSeconds(30).Ticks));
        using var timer = new PeriodicTimer(period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await sessions.ExpireIdleAsync();
                    replies.ForgetAbandoned();
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogSweepFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The idle-session sweep failed; it runs again on the next tick")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}

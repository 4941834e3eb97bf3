using Microsoft.Extensions.Options;

namespace Prynai.McpServer.Transport.Sessions;

/// <summary>Parks and ends idle handshake sessions on this replica and keeps the shared records of streaming ones alive.</summary>
internal sealed partial class SessionExpiryService(
    ResidentSessions sessions,
    SessionReplyRouter replies,
    IOptions<McpTransportOptions> options,
    TimeProvider time,
    ILogger<SessionExpiryService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var shortest = Math.Min(options.Value.SessionIdleTimeout.Ticks / 4, options.Value.SessionParkAfter.Ticks / 2);
        var period = TimeSpan.FromTicks(Math.Clamp(shortest, TimeSpan.FromMilliseconds(250).Ticks, TimeSpan.FromSeconds(30).Ticks));
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

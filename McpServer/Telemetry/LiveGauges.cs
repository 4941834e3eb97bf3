using Prynai.McpServer.Notifications;
using Prynai.McpServer.Transport.Sessions;

namespace Prynai.McpServer.Telemetry;

/// <summary>
/// Registers the gauges read from live state on this replica: handshake sessions (with the HTTP transport) and
/// subscriptions/listen streams (with notifications).
/// </summary>
internal sealed class LiveGauges(PrynaiTelemetry telemetry, ListenSubscriptions? listeners = null, ResidentSessions? sessions = null) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (sessions is not null)
        {
            telemetry.ObserveGauge("prynai.sessions.live", "{session}", "Handshake (initialize) sessions held by this replica.", () => sessions.Count);
        }
        if (listeners is not null)
        {
            telemetry.ObserveGauge("prynai.listen.streams", "{stream}", "Open subscriptions/listen streams on this replica.", () => listeners.Count);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

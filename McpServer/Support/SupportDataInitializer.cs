using Microsoft.Extensions.Options;

namespace Prynai.McpServer.Support;

/// <summary>
/// At startup: creates the schema, then seeds when the store is empty (SeedOnStartup) or always (ForceSeed).
/// Seeding replaces everything in one step (a SQLite transaction; on Cosmos DB the marker is written last, so an
/// interrupted seeding is repeated at the next start).
/// </summary>
internal sealed class SupportDataInitializer(
    ISupportRepository repository,
    IOptions<SupportOptions> options,
    TimeProvider time,
    ILogger<SupportDataInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await repository.InitializeAsync(cancellationToken);
        var marker = await repository.GetSeedMarkerAsync(cancellationToken);
        if (!settings.ForceSeed && (marker is not null || !settings.SeedOnStartup))
        {
            if (marker is null)
            {
                logger.LogWarning("The support data store ({Store}) is empty and Support:SeedOnStartup is off: the support tools will find no customers.", repository.Kind);
            }
            return;
        }

        var started = time.GetTimestamp();
        var data = SupportDataSeeder.Generate(settings.CustomerCount, settings.Seed);
        var digest = SupportDataSeeder.Digest(data);
        await repository.ReplaceAllAsync(data, new SeedMarker(settings.Seed, settings.CustomerCount, digest, time.GetUtcNow()), cancellationToken);
        logger.LogInformation("Seeded the support data store ({Store}): {Customers} customers, {Records} records, digest {Digest}, in {Elapsed} ms.",
            repository.Kind, data.Customers.Count, RecordCount(data), digest[..12], (long)time.GetElapsedTime(started).TotalMilliseconds);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static int RecordCount(SupportDataSet data) =>
        data.Customers.Count + data.Subscriptions.Count + data.Invoices.Count + data.Payments.Count + data.Usage.Count +
        data.Tickets.Count + data.SecurityLogs.Count + data.Promotions.Count + data.Incidents.Count + data.Articles.Count;
}

using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace Prynai.McpServer.Support.Data;

/// <summary>
/// At startup: creates the schema, then seeds when the store is empty (SeedOnStartup) or always (ForceSeed). Startup
/// waits for the first attempt; if the store is unreachable the server starts anyway, the support tools answer "store
/// unavailable", and attempts continue in the background with backoff (a Polly retry pipeline). A configuration error
/// (e.g. a missing Cosmos DB container with creation off) stops the server. Among several replicas starting at once, one seeds while the
/// others wait for its marker.
/// </summary>
internal sealed class SupportDataInitializer(
    ISupportRepository repository,
    SupportDesk desk,
    IOptions<SupportOptions> options,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<SupportDataInitializer> logger) : IHostedService
{
    private static readonly TimeSpan SeedingLease = TimeSpan.FromMinutes(5);
    private readonly CancellationTokenSource _stop = new(); // no timer: needs no disposal, and StopAsync may run after the container is disposed
    private Task? _retries;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (await TryInitializeAsync(forceSeed: options.Value.ForceSeed, cancellationToken))
        {
            return;
        }
        // ForceSeed is honoured by the first attempt that reaches the store.
        _retries = Task.Run(() => RetryAsync(options.Value.ForceSeed, _stop.Token), CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        if (_retries is not null)
        {
            await _retries.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Attempts until one reaches the store or the server stops: 1 s after the failed one at start, then 2 s, 4 s … every 30 s.</summary>
    private async Task RetryAsync(bool forceSeed, CancellationToken stoppingToken)
    {
        var retries = new ResiliencePipelineBuilder<bool> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<bool>
            {
                ShouldHandle = attempt => ValueTask.FromResult(attempt.Outcome.Result is false),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromSeconds(1),
                MaxDelay = TimeSpan.FromSeconds(30),
                UseJitter = false,
            })
            .Build();
        var attempts = 0;
        try
        {
            // Startup has just made the first attempt: the pipeline's own first run only starts its backoff.
            await retries.ExecuteAsync(async token => ++attempts > 1 && await TryInitializeAsync(forceSeed, token), stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>True when the store is ready (seeded or deliberately left empty), or when the server is stopping.</summary>
    private async Task<bool> TryInitializeAsync(bool forceSeed, CancellationToken cancellationToken)
    {
        try
        {
            if (repository is SqliteSupportRepository sqlite && PrebuiltSupportData.TryInstall(sqlite.FilePath, options.Value))
            {
                logger.LogInformation("The support data store ({Store}) starts from the data set published with the server ({File}).",
                    repository.Kind, PrebuiltSupportData.FileName(options.Value.GeneratorSeed, options.Value.CustomerCount));
            }
            await repository.InitializeAsync(cancellationToken);
            await SeedIfNeededAsync(forceSeed, cancellationToken);
            desk.MarkReady();
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return true;
        }
        catch (InvalidOperationException ex)
        {
            logger.LogCritical(ex, "The support data store ({Store}) is misconfigured; stopping.", repository.Kind);
            lifetime.StopApplication();
            throw;
        }
        catch (Exception ex)
        {
            logger.LogWarning("The support data store ({Store}) is not reachable yet ({Error}); the support tools answer 'unavailable' until it is.",
                repository.Kind, ex.InnerException?.Message ?? ex.Message);
            return false;
        }
    }

    private async Task SeedIfNeededAsync(bool forceSeed, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var marker = await repository.GetSeedMarkerAsync(cancellationToken);
        if (!forceSeed && (marker is not null || !settings.SeedOnStartup))
        {
            if (marker is null)
            {
                logger.LogWarning("The support data store ({Store}) is empty and Support:SeedOnStartup is off: the support tools will find no customers.", repository.Kind);
            }
            return;
        }

        if (!await repository.TryBeginSeedingAsync(SeedingLease, cancellationToken))
        {
            // Another replica is seeding: wait for its marker (its lease bounds the wait).
            var deadline = time.GetUtcNow() + SeedingLease;
            while (await repository.GetSeedMarkerAsync(cancellationToken) is null)
            {
                if (time.GetUtcNow() > deadline)
                {
                    throw new TimeoutException("Another replica began seeding the support data store and did not finish.");
                }
                await Task.Delay(TimeSpan.FromMilliseconds(500), time, cancellationToken);
            }
            logger.LogInformation("Another replica seeded the support data store ({Store}).", repository.Kind);
            return;
        }

        var started = time.GetTimestamp();
        var data = SupportDataSeeder.Generate(settings.CustomerCount, settings.GeneratorSeed);
        var digest = SupportDataSeeder.Digest(data);
        await repository.ReplaceAllAsync(data, new SeedMarker(settings.GeneratorSeed, settings.CustomerCount, digest, time.GetUtcNow()), cancellationToken);
        logger.LogInformation("Seeded the support data store ({Store}): {Customers} customers, {Records} records, digest {Digest}, in {Elapsed} ms.",
            repository.Kind, data.Customers.Count, RecordCount(data), digest[..12], (long)time.GetElapsedTime(started).TotalMilliseconds);
    }

    private static int RecordCount(SupportDataSet data) =>
        data.Customers.Count + data.Subscriptions.Count + data.Invoices.Count + data.Payments.Count + data.Usage.Count +
        data.Tickets.Count + data.SecurityLogs.Count + data.Promotions.Count + data.Incidents.Count + data.Articles.Count;
}

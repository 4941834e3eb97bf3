using System.Net;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using Prynai.McpServer.State;

namespace Prynai.McpServer.Support.Data;

/// <summary>
/// The support desk in Cosmos DB, laid out so that every read is a point read or a single-partition query.
/// <list type="bullet">
/// <item>Container <c>customers</c>, partition key <c>/customerId</c>: one document per customer-owned record,
/// <c>{ id, customerId, type, record }</c>, id = the record's id, type = customer, subscription, invoice, ticket,
/// securityLog or audit. An invoice document also holds its payments; usage is one document per subscription and
/// month (<see cref="UsageDocument"/>).</item>
/// <item>Container <c>catalog</c>, partition key <c>/kind</c>: <c>{ id, kind, record }</c> for promotion, incident and
/// article, plus the seed marker (kind meta, id seed).</item>
/// </list>
/// Records are SupportJson (camelCase) and are read through the stream API, whatever serializer the client has.
/// Cosmos DB numbers are doubles: a decimal keeps its value but not its trailing zeros (1.50 reads back as 1.5).
/// There are no multi-document transactions: a change is written before its security-log and audit entries, and
/// seeding writes the marker last, so an interrupted seeding is redone at the next start. Partitions are small, so
/// results are sorted in memory (as the SQLite store orders them) rather than with ORDER BY.
/// </summary>
internal sealed class CosmosSupportRepository(CosmosClient client, string databaseName, bool createIfMissing) : ISupportRepository
{
    private const int SeedConcurrency = 16;
    private const int NumberingAttempts = 10;
    private const int ConcurrentChangeAttempts = 3;

    private static readonly (string Name, string PartitionKeyPath)[] Containers = [("customers", "/customerId"), ("catalog", "/kind")];

    private readonly Container _customers = client.GetContainer(databaseName, "customers");
    private readonly Container _catalog = client.GetContainer(databaseName, "catalog");

    public string Kind => "cosmos";

    public Task InitializeAsync(CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        if (createIfMissing)
        {
            Database database = await client.CreateDatabaseIfNotExistsAsync(databaseName, cancellationToken: cancellationToken);
            foreach (var (name, key) in Containers)
            {
                await database.CreateContainerIfNotExistsAsync(name, key, cancellationToken: cancellationToken);
            }
            return;
        }
        using var databaseResponse = await client.GetDatabase(databaseName).ReadStreamAsync(cancellationToken: cancellationToken);
        if (databaseResponse.StatusCode == HttpStatusCode.NotFound)
        {
            throw new InvalidOperationException($"Cosmos DB database '{databaseName}' does not exist. Create it with containers " +
                string.Join(" and ", Containers.Select(c => $"'{c.Name}' (partition key {c.PartitionKeyPath})")) + ", or allow creating them.");
        }
        databaseResponse.EnsureSuccessStatusCode();
        var problems = new List<string>();
        foreach (var (name, key) in Containers)
        {
            try
            {
                var properties = (await client.GetContainer(databaseName, name).ReadContainerAsync(cancellationToken: cancellationToken)).Resource;
                if (properties.PartitionKeyPath != key)
                {
                    problems.Add($"container '{name}' has partition key {properties.PartitionKeyPath}, not {key}");
                }
            }
            catch (CosmosException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                problems.Add($"container '{name}' (partition key {key}) is missing");
            }
        }
        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"Cosmos DB database '{databaseName}': {string.Join("; ", problems)}. Create it, or allow creating it.");
        }
    }, cancellationToken);

    public Task<SeedMarker?> GetSeedMarkerAsync(CancellationToken cancellationToken) =>
        GuardAsync(async () => (await ReadAsync<CatalogDocument<SeedMarker>>(_catalog, CatalogKinds.SeedMarkerId, CatalogKinds.Meta, cancellationToken)).Document?.Record, cancellationToken);

    public Task<bool> TryBeginSeedingAsync(TimeSpan lease, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        var now = DateTimeOffset.UtcNow;
        var claim = new CatalogDocument<SeedingLease>(CatalogKinds.SeedingLeaseId, CatalogKinds.Meta, new SeedingLease(Environment.MachineName, now + lease));
        if (await CreateAsync(_catalog, CatalogKinds.Meta, claim, cancellationToken))
        {
            return true;
        }
        var (held, etag) = await ReadAsync<CatalogDocument<SeedingLease>>(_catalog, CatalogKinds.SeedingLeaseId, CatalogKinds.Meta, cancellationToken);
        if (held is not null && held.Record.Until > now)
        {
            return false;
        }
        // An expired claim (its holder stopped mid-way) is taken over; of several replicas doing so, the ETag lets one win.
        using var taken = await _catalog.UpsertItemStreamAsync(Serialize(claim), new PartitionKey(CatalogKinds.Meta),
            new ItemRequestOptions { IfMatchEtag = etag }, cancellationToken);
        return taken.IsSuccessStatusCode;
    }, cancellationToken);

    public Task ReplaceAllAsync(SupportDataSet data, SeedMarker marker, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        var documents = CosmosSupportDocuments.From(data).ToList();
        if (await GetSeedMarkerAsync(cancellationToken) is null)
        {
            // Never seeded (or a seeding was interrupted): the same deterministic documents are upserted over whatever
            // an earlier attempt wrote. Needs only data-plane rights, as a managed identity has on Azure.
            await Parallel.ForEachAsync(documents, new ParallelOptions { MaxDegreeOfParallelism = SeedConcurrency, CancellationToken = cancellationToken },
                async (pending, token) =>
                {
                    using var written = await (pending.InCatalog ? _catalog : _customers).UpsertItemStreamAsync(Serialize(pending.Document), new PartitionKey(pending.PartitionKey), cancellationToken: token);
                    written.EnsureSuccessStatusCode();
                });
            await CreateAsync(_catalog, CatalogKinds.Meta, new CatalogDocument<SeedMarker>(CatalogKinds.SeedMarkerId, CatalogKinds.Meta, marker), cancellationToken);
            using var _ = await _catalog.DeleteItemStreamAsync(CatalogKinds.SeedingLeaseId, new PartitionKey(CatalogKinds.Meta), cancellationToken: cancellationToken);
            return;
        }

        // Re-seeding (FORCE_SEED): dropping the containers is the only quick way to remove everything (no batch
        // delete, no cross-partition query); it needs rights to manage containers.
        var database = client.GetDatabase(databaseName);
        foreach (var (name, key) in Containers)
        {
            using var deleted = await database.GetContainer(name).DeleteContainerStreamAsync(cancellationToken: cancellationToken);
            if (deleted.StatusCode == HttpStatusCode.Forbidden)
            {
                throw new InvalidOperationException($"This identity may not delete and recreate Cosmos DB container '{name}' to re-seed it " +
                    "(data-plane roles cannot). Delete the containers with the deployment tooling, or seed with an identity that may manage containers.");
            }
            if (deleted.StatusCode != HttpStatusCode.NotFound)
            {
                deleted.EnsureSuccessStatusCode();
            }
            using var created = await database.CreateContainerStreamAsync(new ContainerProperties(name, key), cancellationToken: cancellationToken);
            created.EnsureSuccessStatusCode();
        }
        await Parallel.ForEachAsync(documents, new ParallelOptions { MaxDegreeOfParallelism = SeedConcurrency, CancellationToken = cancellationToken },
            async (pending, token) =>
            {
                if (!await CreateAsync(pending.InCatalog ? _catalog : _customers, pending.PartitionKey, pending.Document, token))
                {
                    throw new InvalidOperationException($"The data set holds two documents with id {pending.Id} in partition {pending.PartitionKey}.");
                }
            });
        await CreateAsync(_catalog, CatalogKinds.Meta, new CatalogDocument<SeedMarker>(CatalogKinds.SeedMarkerId, CatalogKinds.Meta, marker), cancellationToken);
    }, cancellationToken);

    public Task<Customer?> GetCustomerAsync(string customerId, CancellationToken cancellationToken) =>
        GuardAsync(async () => (await ReadAsync<OwnedDocument<Customer>>(_customers, customerId, customerId, cancellationToken)).Document?.Record, cancellationToken);

    public Task<IReadOnlyList<Subscription>> GetSubscriptionsAsync(string customerId, CancellationToken cancellationToken) =>
        OwnedRecordsAsync<Subscription>(customerId, DocumentTypes.Subscription, records => records.OrderBy(s => s.Id, StringComparer.Ordinal), cancellationToken);

    public Task<IReadOnlyList<Invoice>> GetInvoicesAsync(string customerId, CancellationToken cancellationToken) =>
        GuardAsync<IReadOnlyList<Invoice>>(async () => [.. (await QueryOwnedAsync<InvoiceDocument>(customerId, DocumentTypes.Invoice, cancellationToken))
            .Select(d => d.Record).OrderBy(i => i.IssuedOn).ThenBy(i => i.Id, StringComparer.Ordinal)], cancellationToken);

    public Task<IReadOnlyList<Payment>> GetPaymentsAsync(string customerId, CancellationToken cancellationToken) =>
        GuardAsync<IReadOnlyList<Payment>>(async () => [.. (await QueryOwnedAsync<InvoiceDocument>(customerId, DocumentTypes.Invoice, cancellationToken))
            .SelectMany(d => d.Payments).OrderBy(p => p.PaidOn).ThenBy(p => p.Id, StringComparer.Ordinal)], cancellationToken);

    public Task<IReadOnlyList<UsageRecord>> GetUsageAsync(string customerId, DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        GuardAsync<IReadOnlyList<UsageRecord>>(async () =>
        {
            var months = await QueryOwnedAsync<UsageDocument>(customerId, DocumentTypes.Usage, cancellationToken,
                " AND c.month >= @from AND c.month <= @to", ("@from", CosmosSupportDocuments.MonthOf(from)), ("@to", CosmosSupportDocuments.MonthOf(to)));
            return [.. months.SelectMany(m => m.Days).Where(u => u.Day >= from && u.Day <= to)
                .OrderBy(u => u.Day).ThenBy(u => u.SubscriptionId, StringComparer.Ordinal)];
        }, cancellationToken);

    public Task<IReadOnlyList<SupportTicket>> GetTicketsAsync(string customerId, CancellationToken cancellationToken) =>
        OwnedRecordsAsync<SupportTicket>(customerId, DocumentTypes.Ticket, records => records.OrderBy(t => t.OpenedAt).ThenBy(t => t.Id, StringComparer.Ordinal), cancellationToken);

    public Task<SupportTicket> AddTicketAsync(SupportTicket ticket, CancellationToken cancellationToken) =>
        GuardAsync(() => AddNumberedAsync(ticket.CustomerId, DocumentTypes.Ticket, taken => SupportIds.NextTicketId(ticket.CustomerId, taken),
            id => ticket with { Id = id }, cancellationToken), cancellationToken);

    public Task<IReadOnlyList<SecurityLogEntry>> GetSecurityLogsAsync(string customerId, int limit, CancellationToken cancellationToken) =>
        OwnedRecordsAsync<SecurityLogEntry>(customerId, DocumentTypes.SecurityLog,
            records => records.OrderByDescending(l => l.At).ThenByDescending(l => l.Id, StringComparer.Ordinal).Take(Math.Max(0, limit)), cancellationToken);

    public Task<IReadOnlyList<AuditEntry>> GetAuditEntriesAsync(string customerId, CancellationToken cancellationToken) =>
        OwnedRecordsAsync<AuditEntry>(customerId, DocumentTypes.Audit, records => records.OrderBy(a => a.At).ThenBy(a => a.Id, StringComparer.Ordinal), cancellationToken);

    public Task UpdateSubscriptionAsync(Subscription subscription, AuditEntry audit, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        // The change first, then its audit entry: a failure in between leaves an unaudited change, never an audit of none.
        await ChangeRecordAsync<Subscription>(subscription.Id, subscription.CustomerId, _ => subscription, cancellationToken);
        await AddAuditAsync(audit, cancellationToken);
    }, cancellationToken);

    public Task UnlockAccountAsync(string customerId, SecurityLogEntry logEntry, AuditEntry audit, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        // Same order as UpdateSubscriptionAsync: the unlock, then the security-log entry, then the audit entry.
        await ChangeRecordAsync<Customer>(customerId, customerId, customer => customer with { AccountLocked = false }, cancellationToken);
        await AddNumberedAsync(customerId, DocumentTypes.SecurityLog, taken => SupportIds.NextLogId(customerId, taken), id => logEntry with { Id = id }, cancellationToken);
        await AddAuditAsync(audit, cancellationToken);
    }, cancellationToken);

    public Task<IReadOnlyList<Promotion>> GetPromotionsAsync(CancellationToken cancellationToken) =>
        CatalogRecordsAsync<Promotion>(CatalogKinds.Promotion, records => records.OrderBy(p => p.Id, StringComparer.Ordinal), cancellationToken);

    public Task<IReadOnlyList<Incident>> GetIncidentsAsync(CancellationToken cancellationToken) =>
        CatalogRecordsAsync<Incident>(CatalogKinds.Incident, records => records.OrderByDescending(i => i.StartedAt).ThenBy(i => i.Id, StringComparer.Ordinal), cancellationToken);

    public Task<IReadOnlyList<KnowledgeArticle>> GetArticlesAsync(CancellationToken cancellationToken) =>
        CatalogRecordsAsync<KnowledgeArticle>(CatalogKinds.Article, records => records.OrderBy(a => a.Id, StringComparer.Ordinal), cancellationToken);

    public Task<KnowledgeArticle?> GetArticleAsync(string articleId, CancellationToken cancellationToken) =>
        GuardAsync(async () => (await ReadAsync<CatalogDocument<KnowledgeArticle>>(_catalog, articleId, CatalogKinds.Article, cancellationToken)).Document?.Record, cancellationToken);

    private Task<IReadOnlyList<T>> OwnedRecordsAsync<T>(string customerId, string type, Func<IEnumerable<T>, IEnumerable<T>> order, CancellationToken cancellationToken) =>
        GuardAsync<IReadOnlyList<T>>(async () => [.. order((await QueryOwnedAsync<OwnedDocument<T>>(customerId, type, cancellationToken)).Select(d => d.Record))],
            cancellationToken);

    private Task<IReadOnlyList<T>> CatalogRecordsAsync<T>(string kind, Func<IEnumerable<T>, IEnumerable<T>> order, CancellationToken cancellationToken) =>
        GuardAsync<IReadOnlyList<T>>(async () => [.. order((await QueryAsync<CatalogDocument<T>>(_catalog, kind,
            new QueryDefinition("SELECT * FROM c WHERE c.kind = @kind").WithParameter("@kind", kind), cancellationToken)).Select(d => d.Record))],
            cancellationToken);

    /// <summary>
    /// Creates the record with the next free number; a concurrent writer that took it first makes the create fail
    /// with 409, and the next number is tried.
    /// </summary>
    private async Task<T> AddNumberedAsync<T>(string customerId, string type, Func<IEnumerable<string>, string> nextId, Func<string, T> numbered,
        CancellationToken cancellationToken)
    {
        var taken = (await QueryOwnedAsync<DocumentId>(customerId, type, cancellationToken)).Select(d => d.Id).ToList();
        for (var attempt = 1; ; attempt++)
        {
            var id = nextId(taken);
            var record = numbered(id);
            if (await CreateAsync(_customers, customerId, new OwnedDocument<T>(id, customerId, type, record), cancellationToken))
            {
                return record;
            }
            if (attempt == NumberingAttempts)
            {
                throw new InvalidOperationException($"Could not number a new {type} of {customerId}: {NumberingAttempts} concurrent writers took the next numbers first.");
            }
            taken.Add(id);
        }
    }

    /// <summary>Read, change, replace if unchanged since the read (ETag); a concurrent change makes it read and apply again.</summary>
    private async Task ChangeRecordAsync<T>(string id, string customerId, Func<T, T> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (current, etag) = await ReadAsync<OwnedDocument<T>>(_customers, id, customerId, cancellationToken);
            if (current is null)
            {
                throw new InvalidOperationException($"Customer {customerId} has no record {id}.");
            }
            using var response = await _customers.ReplaceItemStreamAsync(Serialize(current with { Record = change(current.Record) }), id,
                new PartitionKey(customerId), new ItemRequestOptions { IfMatchEtag = etag }, cancellationToken);
            if (response.StatusCode != HttpStatusCode.PreconditionFailed || attempt == ConcurrentChangeAttempts)
            {
                response.EnsureSuccessStatusCode();
                return;
            }
        }
    }

    private async Task AddAuditAsync(AuditEntry audit, CancellationToken cancellationToken)
    {
        if (!await CreateAsync(_customers, audit.CustomerId, new OwnedDocument<AuditEntry>(audit.Id, audit.CustomerId, DocumentTypes.Audit, audit), cancellationToken))
        {
            throw new InvalidOperationException($"Audit entry {audit.Id} of {audit.CustomerId} already exists.");
        }
    }

    private Task<IReadOnlyList<T>> QueryOwnedAsync<T>(string customerId, string type, CancellationToken cancellationToken,
        string condition = "", params (string Name, string Value)[] parameters)
    {
        // The partition key filter is redundant on Azure; the test server (cosmosdb-server) refuses a query without it.
        var query = new QueryDefinition($"SELECT * FROM c WHERE c.customerId = @customer AND c.type = @type{condition}")
            .WithParameter("@customer", customerId).WithParameter("@type", type);
        foreach (var (name, value) in parameters)
        {
            query = query.WithParameter(name, value);
        }
        return QueryAsync<T>(_customers, customerId, query, cancellationToken);
    }

    private static async Task<IReadOnlyList<T>> QueryAsync<T>(Container container, string partitionKey, QueryDefinition query, CancellationToken cancellationToken)
    {
        var results = new List<T>();
        using var iterator = container.GetItemQueryStreamIterator(query, requestOptions: new QueryRequestOptions { PartitionKey = new PartitionKey(partitionKey) });
        while (iterator.HasMoreResults)
        {
            using var page = await iterator.ReadNextAsync(cancellationToken);
            if (page.StatusCode == HttpStatusCode.NotFound)
            {
                return results; // The container is gone: nothing seeded (yet).
            }
            page.EnsureSuccessStatusCode();
            results.AddRange((await JsonSerializer.DeserializeAsync<QueryPage<T>>(page.Content, SupportJson.Options, cancellationToken))!.Documents);
        }
        return results;
    }

    private static async Task<(T? Document, string? ETag)> ReadAsync<T>(Container container, string id, string partitionKey, CancellationToken cancellationToken)
        where T : class
    {
        using var response = await container.ReadItemStreamAsync(id, new PartitionKey(partitionKey), cancellationToken: cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return (null, null);
        }
        response.EnsureSuccessStatusCode();
        return (await JsonSerializer.DeserializeAsync<T>(response.Content, SupportJson.Options, cancellationToken), response.Headers.ETag);
    }

    /// <summary>Creates the document; false when one with its id exists (409).</summary>
    private static async Task<bool> CreateAsync(Container container, string partitionKey, object document, CancellationToken cancellationToken)
    {
        using var response = await container.CreateItemStreamAsync(Serialize(document), new PartitionKey(partitionKey), cancellationToken: cancellationToken);
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            return false;
        }
        response.EnsureSuccessStatusCode();
        return true;
    }

    private static MemoryStream Serialize(object document) => new(JsonSerializer.SerializeToUtf8Bytes(document, document.GetType(), SupportJson.Options));

    private Task GuardAsync(Func<Task> operation, CancellationToken cancellationToken) =>
        GuardAsync(async () => { await operation(); return true; }, cancellationToken);

    /// <summary>Reports an unreachable or overloaded account as <see cref="StateStoreUnavailableException"/>; other failures are bugs or configuration.</summary>
    private async Task<T> GuardAsync<T>(Func<Task<T>> operation, CancellationToken cancellationToken)
    {
        try
        {
            return await operation();
        }
        catch (CosmosException ex) when (ex.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
                                             or HttpStatusCode.Gone or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout)
        {
            throw new StateStoreUnavailableException(Kind, ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException || ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new StateStoreUnavailableException(Kind, ex);
        }
    }
}

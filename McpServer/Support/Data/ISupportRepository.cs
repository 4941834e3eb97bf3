namespace Prynai.McpServer.Support.Data;

/// <summary>
/// The support desk's data. Two implementations: SqliteSupportRepository (embedded default) and
/// CosmosSupportRepository (Azure). Every customer-owned read needs only the customer id, which every
/// owned record's id starts with (<see cref="SupportIds"/>).
/// </summary>
public interface ISupportRepository
{
    /// <summary>"sqlite" or "cosmos".</summary>
    string Kind { get; }

    /// <summary>Creates the schema (tables, or database and containers) when missing.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>What the last seeding wrote, or null when the store has never been seeded.</summary>
    Task<SeedMarker?> GetSeedMarkerAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Claims the right to seed for <paramref name="lease"/> (replicas starting together seed once); false while
    /// another process holds an unexpired claim. Seeding's marker ends the claim.
    /// </summary>
    Task<bool> TryBeginSeedingAsync(TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Removes every record, then writes <paramref name="data"/> and its marker.</summary>
    Task ReplaceAllAsync(SupportDataSet data, SeedMarker marker, CancellationToken cancellationToken);

    Task<Customer?> GetCustomerAsync(string customerId, CancellationToken cancellationToken);

    Task<IReadOnlyList<Subscription>> GetSubscriptionsAsync(string customerId, CancellationToken cancellationToken);

    Task<IReadOnlyList<Invoice>> GetInvoicesAsync(string customerId, CancellationToken cancellationToken);

    Task<IReadOnlyList<Payment>> GetPaymentsAsync(string customerId, CancellationToken cancellationToken);

    /// <summary>Usage of all the customer's subscriptions on the days from <paramref name="from"/> to <paramref name="to"/>, inclusive.</summary>
    Task<IReadOnlyList<UsageRecord>> GetUsageAsync(string customerId, DateOnly from, DateOnly to, CancellationToken cancellationToken);

    Task<IReadOnlyList<SupportTicket>> GetTicketsAsync(string customerId, CancellationToken cancellationToken);

    /// <summary>Adds a ticket; its id is the next free <c>{customer}-T{n}</c>, which the returned ticket carries.</summary>
    Task<SupportTicket> AddTicketAsync(SupportTicket ticket, CancellationToken cancellationToken);

    /// <summary>The newest <paramref name="limit"/> entries, newest first.</summary>
    Task<IReadOnlyList<SecurityLogEntry>> GetSecurityLogsAsync(string customerId, int limit, CancellationToken cancellationToken);

    Task<IReadOnlyList<AuditEntry>> GetAuditEntriesAsync(string customerId, CancellationToken cancellationToken);

    /// <summary>Replaces a subscription (same id and customer) and records the audit entry with it.</summary>
    Task UpdateSubscriptionAsync(Subscription subscription, AuditEntry audit, CancellationToken cancellationToken);

    /// <summary>Clears the account lock and records the security-log and audit entries with it.</summary>
    Task UnlockAccountAsync(string customerId, SecurityLogEntry logEntry, AuditEntry audit, CancellationToken cancellationToken);

    Task<IReadOnlyList<Promotion>> GetPromotionsAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<Incident>> GetIncidentsAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<KnowledgeArticle>> GetArticlesAsync(CancellationToken cancellationToken);

    Task<KnowledgeArticle?> GetArticleAsync(string articleId, CancellationToken cancellationToken);
}

/// <summary>Everything the seeder writes.</summary>
public sealed record SupportDataSet(
    IReadOnlyList<Customer> Customers,
    IReadOnlyList<Subscription> Subscriptions,
    IReadOnlyList<Invoice> Invoices,
    IReadOnlyList<Payment> Payments,
    IReadOnlyList<UsageRecord> Usage,
    IReadOnlyList<SupportTicket> Tickets,
    IReadOnlyList<SecurityLogEntry> SecurityLogs,
    IReadOnlyList<Promotion> Promotions,
    IReadOnlyList<Incident> Incidents,
    IReadOnlyList<KnowledgeArticle> Articles);

/// <summary>Which data a store holds: the seeder's inputs and the digest of what it generated.</summary>
public sealed record SeedMarker(int Seed, int CustomerCount, string Digest, DateTimeOffset SeededAt);

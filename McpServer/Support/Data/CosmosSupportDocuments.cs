using System.Globalization;

namespace Prynai.McpServer.Support.Data;

// The documents CosmosSupportRepository stores, serialized with SupportJson.Options (camelCase), so a document's
// "record" is exactly the JSON the SQLite store keeps. Cosmos DB's system properties (_etag, _ts…) are ignored on read.

/// <summary>One customer-owned record in container <c>customers</c>: <c>{ id, customerId, type, record }</c>.</summary>
internal sealed record OwnedDocument<T>(string Id, string CustomerId, string Type, T Record);

/// <summary>An invoice with its payments (a handful at most), so one read answers both.</summary>
internal sealed record InvoiceDocument(string Id, string CustomerId, string Type, Invoice Record, IReadOnlyList<Payment> Payments);

/// <summary>One subscription's daily usage in one month (id <c>{subscriptionId}-U{yyyy-MM}</c>): ~30 records, not 30 documents.</summary>
internal sealed record UsageDocument(string Id, string CustomerId, string Type, string SubscriptionId, string Month, IReadOnlyList<UsageRecord> Days);

/// <summary>Reference data in container <c>catalog</c>, partitioned by <c>kind</c>: <c>{ id, kind, record }</c>.</summary>
internal sealed record CatalogDocument<T>(string Id, string Kind, T Record);

/// <summary>Only a document's id, for numbering.</summary>
internal sealed record DocumentId(string Id);

/// <summary>A page of query results as the Cosmos DB REST API returns it.</summary>
internal sealed record QueryPage<T>(IReadOnlyList<T> Documents);

/// <summary>A document to write during seeding and where it goes.</summary>
internal sealed record PendingDocument(bool InCatalog, string PartitionKey, string Id, object Document);

/// <summary>The <c>type</c> of a document in container <c>customers</c>.</summary>
internal static class DocumentTypes
{
    public const string Customer = "customer";
    public const string Subscription = "subscription";
    public const string Invoice = "invoice";
    public const string Usage = "usage";
    public const string Ticket = "ticket";
    public const string SecurityLog = "securityLog";
    public const string Audit = "audit";
}

/// <summary>The <c>kind</c> (partition) of a document in container <c>catalog</c>.</summary>
internal static class CatalogKinds
{
    public const string Promotion = "promotion";
    public const string Incident = "incident";
    public const string Article = "article";

    /// <summary>The seed marker's partition; its id is <see cref="SeedMarkerId"/>.</summary>
    public const string Meta = "meta";
    public const string SeedMarkerId = "seed";

    /// <summary>The seeding lease (kind meta): which process seeds, until when.</summary>
    public const string SeedingLeaseId = "seeding";
}

/// <summary>Who is seeding, and until when the claim holds.</summary>
internal sealed record SeedingLease(string Holder, DateTimeOffset Until);

internal static class CosmosSupportDocuments
{

    /// <summary>The owning customer's id: the first five characters of every owned id (<see cref="SupportIds"/>).</summary>
    public static string OwnerOf(string ownedId) => ownedId[..5];

    public static string MonthOf(DateOnly day) => day.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    /// <summary>Every document of <paramref name="data"/> except the seed marker.</summary>
    public static IEnumerable<PendingDocument> From(SupportDataSet data)
    {
        var invoiceIds = data.Invoices.Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
        if (data.Payments.FirstOrDefault(p => !invoiceIds.Contains(p.InvoiceId)) is { } orphan)
        {
            throw new InvalidOperationException($"Payment {orphan.Id} refers to invoice {orphan.InvoiceId}, which the data set does not contain.");
        }
        var payments = data.Payments.ToLookup(p => p.InvoiceId, StringComparer.Ordinal);

        var owned = data.Customers.Select(c => Owned(c.Id, c.Id, DocumentTypes.Customer, c))
            .Concat(data.Subscriptions.Select(s => Owned(s.Id, s.CustomerId, DocumentTypes.Subscription, s)))
            .Concat(data.Invoices.Select(i => new PendingDocument(false, i.CustomerId, i.Id,
                new InvoiceDocument(i.Id, i.CustomerId, DocumentTypes.Invoice, i, [.. payments[i.Id]]))))
            .Concat(data.Usage.GroupBy(u => (u.SubscriptionId, Month: MonthOf(u.Day))).Select(month =>
            {
                var id = $"{month.Key.SubscriptionId}-U{month.Key.Month}";
                var owner = OwnerOf(month.Key.SubscriptionId);
                return new PendingDocument(false, owner, id, new UsageDocument(id, owner, DocumentTypes.Usage, month.Key.SubscriptionId, month.Key.Month, [.. month]));
            }))
            .Concat(data.Tickets.Select(t => Owned(t.Id, t.CustomerId, DocumentTypes.Ticket, t)))
            .Concat(data.SecurityLogs.Select(l => Owned(l.Id, l.CustomerId, DocumentTypes.SecurityLog, l)));
        var catalog = data.Promotions.Select(p => InCatalog(p.Id, CatalogKinds.Promotion, p))
            .Concat(data.Incidents.Select(i => InCatalog(i.Id, CatalogKinds.Incident, i)))
            .Concat(data.Articles.Select(a => InCatalog(a.Id, CatalogKinds.Article, a)));
        return owned.Concat(catalog);
    }

    private static PendingDocument Owned<T>(string id, string customerId, string type, T record) =>
        new(false, customerId, id, new OwnedDocument<T>(id, customerId, type, record));

    private static PendingDocument InCatalog<T>(string id, string kind, T record) =>
        new(true, kind, id, new CatalogDocument<T>(id, kind, record));
}

using System.Text.Json;
using System.Text.Json.Serialization;
using Prynai.McpServer.Support;
using Prynai.McpServer.Support.Data;

namespace Prynai.Tests.Support;

/// <summary>
/// What every support repository must do, run against each real backend (SQLite file, Cosmos protocol server). Each
/// test gets a store of its own (a new file or database) seeded with a small generated data set.
/// </summary>
public abstract class SupportRepositoryContract : IAsyncLifetime
{
    protected static readonly SupportDataSet Data = SupportDataSeeder.Generate(customerCount: 3, seed: 7);

    private static readonly SeedMarker Marker = new(7, 3, SupportDataSeeder.Digest(Data), new DateTimeOffset(2026, 11, 1, 6, 0, 0, TimeSpan.Zero));

    private static readonly DateTimeOffset Later = new(2026, 11, 2, 9, 30, 0, TimeSpan.Zero);

    protected ISupportRepository Repository { get; private set; } = null!;

    /// <summary>A repository over a store nobody else uses.</summary>
    protected abstract Task<ISupportRepository> OpenRepositoryAsync();

    public async ValueTask InitializeAsync()
    {
        Repository = await OpenRepositoryAsync();
        await Repository.InitializeAsync(Ct);
        await Repository.ReplaceAllAsync(Data, Marker, Ct);
    }

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task ReplaceAll_WritesEveryRecord_AndTheMarker()
    {
        Assert.Equal(8, Data.Customers.Count);
        foreach (var customer in Data.Customers)
        {
            var id = customer.Id;
            AssertSameRecord(customer, await Repository.GetCustomerAsync(id, Ct));
            AssertSame(ExpectedSubscriptions(Data, id), await Repository.GetSubscriptionsAsync(id, Ct));
            AssertSame(ExpectedInvoices(Data, id), await Repository.GetInvoicesAsync(id, Ct));
            AssertSame(Data.Payments.Where(p => OwnedBy(p.InvoiceId, id)).OrderBy(p => p.PaidOn).ThenBy(p => p.Id, StringComparer.Ordinal),
                await Repository.GetPaymentsAsync(id, Ct));
            AssertSame(ExpectedUsage(Data, id, DateOnly.MinValue, DateOnly.MaxValue), await Repository.GetUsageAsync(id, DateOnly.MinValue, DateOnly.MaxValue, Ct));
            AssertSame(ExpectedTickets(Data, id), await Repository.GetTicketsAsync(id, Ct));
            AssertSame(ExpectedLogs(Data, id), await Repository.GetSecurityLogsAsync(id, 1000, Ct));
            Assert.Empty(await Repository.GetAuditEntriesAsync(id, Ct));
        }
        Assert.Equal(90, (await Repository.GetUsageAsync("C9004", DateOnly.MinValue, DateOnly.MaxValue, Ct)).Count);
        AssertSame(Data.Promotions.OrderBy(p => p.Id, StringComparer.Ordinal), await Repository.GetPromotionsAsync(Ct));
        AssertSame(Data.Incidents.OrderByDescending(i => i.StartedAt), await Repository.GetIncidentsAsync(Ct));
        AssertSame(Data.Articles.OrderBy(a => a.Id, StringComparer.Ordinal), await Repository.GetArticlesAsync(Ct));
        AssertSameRecord(Data.Articles.Single(a => a.Id == "KB-0006"), await Repository.GetArticleAsync("KB-0006", Ct));
        Assert.Equal(Marker, await Repository.GetSeedMarkerAsync(Ct));
    }

    [Fact]
    public async Task ReplaceAll_Twice_LeavesOnlyTheSecondDataSet()
    {
        var second = SupportDataSeeder.Generate(customerCount: 1, seed: 11);
        var marker = new SeedMarker(11, 1, SupportDataSeeder.Digest(second), Later);

        await Repository.ReplaceAllAsync(second, marker, Ct);

        Assert.Equal(marker, await Repository.GetSeedMarkerAsync(Ct));
        foreach (var gone in new[] { "C0002", "C0003" })
        {
            Assert.Null(await Repository.GetCustomerAsync(gone, Ct));
            Assert.Empty(await Repository.GetSubscriptionsAsync(gone, Ct));
            Assert.Empty(await Repository.GetInvoicesAsync(gone, Ct));
            Assert.Empty(await Repository.GetPaymentsAsync(gone, Ct));
            Assert.Empty(await Repository.GetUsageAsync(gone, DateOnly.MinValue, DateOnly.MaxValue, Ct));
            Assert.Empty(await Repository.GetTicketsAsync(gone, Ct));
            Assert.Empty(await Repository.GetSecurityLogsAsync(gone, 100, Ct));
        }
        foreach (var id in new[] { "C0001", "C9002" })
        {
            AssertSameRecord(second.Customers.Single(c => c.Id == id), await Repository.GetCustomerAsync(id, Ct));
            AssertSame(ExpectedSubscriptions(second, id), await Repository.GetSubscriptionsAsync(id, Ct));
            AssertSame(ExpectedInvoices(second, id), await Repository.GetInvoicesAsync(id, Ct));
            AssertSame(ExpectedUsage(second, id, DateOnly.MinValue, DateOnly.MaxValue), await Repository.GetUsageAsync(id, DateOnly.MinValue, DateOnly.MaxValue, Ct));
            AssertSame(ExpectedTickets(second, id), await Repository.GetTicketsAsync(id, Ct));
            AssertSame(ExpectedLogs(second, id), await Repository.GetSecurityLogsAsync(id, 1000, Ct));
        }
        Assert.Equal(Data.Articles.Count, (await Repository.GetArticlesAsync(Ct)).Count);
    }

    [Fact]
    public async Task UnknownIds_FindNothing()
    {
        Assert.Null(await Repository.GetCustomerAsync("C0999", Ct));
        Assert.Empty(await Repository.GetSubscriptionsAsync("C0999", Ct));
        Assert.Empty(await Repository.GetInvoicesAsync("C0999", Ct));
        Assert.Empty(await Repository.GetPaymentsAsync("C0999", Ct));
        Assert.Empty(await Repository.GetUsageAsync("C0999", DateOnly.MinValue, DateOnly.MaxValue, Ct));
        Assert.Empty(await Repository.GetTicketsAsync("C0999", Ct));
        Assert.Empty(await Repository.GetSecurityLogsAsync("C0999", 10, Ct));
        Assert.Empty(await Repository.GetAuditEntriesAsync("C0999", Ct));
        Assert.Null(await Repository.GetArticleAsync("KB-9999", Ct));
        Assert.Empty(await Repository.GetUsageAsync("C9001", new DateOnly(2020, 1, 1), new DateOnly(2020, 12, 31), Ct));
    }

    [Fact]
    public async Task ChangesToUnknownRecords_AreRefused_AndNotAudited()
    {
        var subscription = Data.Subscriptions.First(s => s.CustomerId == "C9001") with { Id = "C9001-S9" };

        await Assert.ThrowsAsync<InvalidOperationException>(() => Repository.UpdateSubscriptionAsync(subscription, Audit("C9001", "change_plan"), Ct));
        await Assert.ThrowsAsync<InvalidOperationException>(() => Repository.UnlockAccountAsync("C0999", UnlockEntry("C0999"), Audit("C0999", "unlock_account"), Ct));

        Assert.Empty(await Repository.GetAuditEntriesAsync("C9001", Ct));
        Assert.Empty(await Repository.GetAuditEntriesAsync("C0999", Ct));
        Assert.Empty(await Repository.GetSecurityLogsAsync("C0999", 10, Ct));
        AssertSame(ExpectedSubscriptions(Data, "C9001"), await Repository.GetSubscriptionsAsync("C9001", Ct));
    }

    [Fact]
    public async Task GetUsage_IncludesBothEnds_AcrossAMonthBoundary()
    {
        var (from, to) = (new DateOnly(2026, 9, 29), new DateOnly(2026, 10, 2));
        foreach (var customer in Data.Customers)
        {
            var usage = await Repository.GetUsageAsync(customer.Id, from, to, Ct);

            var subscriptions = Data.Subscriptions.Count(s => s.CustomerId == customer.Id);
            Assert.Equal(4 * subscriptions, usage.Count);
            Assert.Equal([from, from.AddDays(1), from.AddDays(2), to], usage.Select(u => u.Day).Distinct());
            AssertSame(ExpectedUsage(Data, customer.Id, from, to), usage);
        }
        var oneDay = await Repository.GetUsageAsync("C9004", to, to, Ct);
        AssertSame(Data.Usage.Where(u => u.SubscriptionId == "C9004-S1" && u.Day == to), oneDay);
    }

    [Fact]
    public async Task GetSecurityLogs_ReturnsTheNewestFirst_UpToTheLimit()
    {
        var newest = await Repository.GetSecurityLogsAsync("C9002", 3, Ct);

        Assert.Equal(["account-locked", "sign-in-failed", "sign-in-failed"], newest.Select(l => l.EventType));
        Assert.Equal(["Wrong password (attempt 5).", "Wrong password (attempt 4)."], newest.Skip(1).Select(l => l.Detail));
        AssertSame(ExpectedLogs(Data, "C9002").Take(3), newest);
        Assert.Empty(await Repository.GetSecurityLogsAsync("C9002", 0, Ct));
        var all = await Repository.GetSecurityLogsAsync("C9002", 1000, Ct);
        Assert.Equal(Data.SecurityLogs.Count(l => l.CustomerId == "C9002"), all.Count);
        Assert.Equal(all.Select(l => l.At).OrderDescending(), all.Select(l => l.At));
    }

    [Fact]
    public async Task AddTicket_TakesTheCustomersNextNumber()
    {
        Assert.Equal(["C9003-T1"], (await Repository.GetTicketsAsync("C9003", Ct)).Select(t => t.Id));

        var second = await Repository.AddTicketAsync(NewTicket("C9003", "whatever-the-caller-sent"), Ct);
        var third = await Repository.AddTicketAsync(NewTicket("C9003", ""), Ct);
        var first = await Repository.AddTicketAsync(NewTicket("C9004", "C9003-T1"), Ct);

        Assert.Equal(NewTicket("C9003", "C9003-T2"), second);
        Assert.Equal("C9003-T3", third.Id);
        Assert.Equal("C9004-T1", first.Id);
        AssertSame(ExpectedTickets(Data, "C9003").Append(second).Append(third), await Repository.GetTicketsAsync("C9003", Ct));
        AssertSame([first], await Repository.GetTicketsAsync("C9004", Ct));
    }

    [Fact]
    public async Task AddTicket_ConcurrentCalls_AllSucceedWithDistinctNumbers()
    {
        var added = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Repository.AddTicketAsync(NewTicket("C9001", ""), Ct)));

        Assert.Equal(["C9001-T1", "C9001-T2", "C9001-T3", "C9001-T4", "C9001-T5"], added.Select(t => t.Id).Order(StringComparer.Ordinal));
        Assert.Equal(added.Select(t => t.Id).Order(StringComparer.Ordinal), (await Repository.GetTicketsAsync("C9001", Ct)).Select(t => t.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task UpdateSubscription_ChangesOnlyThatSubscription_AndRecordsTheAudit()
    {
        var original = Data.Subscriptions.First(s => s.CustomerId == "C9005");
        var changed = original with { Plan = "unlimited", MonthlyFee = 115.50m, DataCapGb = 0, AutoRenew = !original.AutoRenew };
        var audit = Audit("C9005", "change_plan");

        await Repository.UpdateSubscriptionAsync(changed, audit, Ct);

        AssertSame(ExpectedSubscriptions(Data, "C9005").Select(s => s.Id == changed.Id ? changed : s), await Repository.GetSubscriptionsAsync("C9005", Ct));
        AssertSame([audit], await Repository.GetAuditEntriesAsync("C9005", Ct));
        foreach (var other in Data.Customers.Where(c => c.Id != "C9005"))
        {
            AssertSame(ExpectedSubscriptions(Data, other.Id), await Repository.GetSubscriptionsAsync(other.Id, Ct));
            Assert.Empty(await Repository.GetAuditEntriesAsync(other.Id, Ct));
        }
    }

    [Fact]
    public async Task UnlockAccount_ClearsTheLock_LogsTheNextEntry_AndRecordsTheAudit()
    {
        var locked = Data.Customers.Single(c => c.Id == "C9002");
        Assert.True(locked.AccountLocked);
        var logCount = Data.SecurityLogs.Count(l => l.CustomerId == "C9002");
        var audit = Audit("C9002", "unlock_account");

        await Repository.UnlockAccountAsync("C9002", UnlockEntry("C9002"), audit, Ct);

        AssertSameRecord(locked with { AccountLocked = false }, await Repository.GetCustomerAsync("C9002", Ct));
        var logs = await Repository.GetSecurityLogsAsync("C9002", 2, Ct);
        AssertSame([UnlockEntry("C9002") with { Id = $"C9002-L{logCount + 1}" }, ExpectedLogs(Data, "C9002")[0]], logs);
        Assert.Equal(logCount + 1, (await Repository.GetSecurityLogsAsync("C9002", 1000, Ct)).Count);
        AssertSame([audit], await Repository.GetAuditEntriesAsync("C9002", Ct));
        AssertSameRecord(Data.Customers.Single(c => c.Id == "C9001"), await Repository.GetCustomerAsync("C9001", Ct));
    }

    [Fact]
    public async Task UnlockAccount_ConcurrentCalls_AllSucceed_WithDistinctLogEntries()
    {
        var logCount = Data.SecurityLogs.Count(l => l.CustomerId == "C9002");
        var audits = Enumerable.Range(1, 3).Select(n => Audit("C9002", "unlock_account", n)).ToList();

        await Task.WhenAll(audits.Select(audit => Repository.UnlockAccountAsync("C9002", UnlockEntry("C9002"), audit, Ct)));

        Assert.False((await Repository.GetCustomerAsync("C9002", Ct))!.AccountLocked);
        var added = (await Repository.GetSecurityLogsAsync("C9002", 1000, Ct)).Where(l => l.EventType == "account-unlocked").Select(l => l.Id);
        Assert.Equal(Enumerable.Range(logCount + 1, 3).Select(n => $"C9002-L{n}"), added.Order(StringComparer.Ordinal));
        AssertSame(audits, await Repository.GetAuditEntriesAsync("C9002", Ct));
    }

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static bool OwnedBy(string ownedId, string customerId) => ownedId.StartsWith(customerId + "-", StringComparison.Ordinal);

    private static List<Subscription> ExpectedSubscriptions(SupportDataSet data, string customerId) =>
        [.. data.Subscriptions.Where(s => s.CustomerId == customerId).OrderBy(s => s.Id, StringComparer.Ordinal)];

    private static List<Invoice> ExpectedInvoices(SupportDataSet data, string customerId) =>
        [.. data.Invoices.Where(i => i.CustomerId == customerId).OrderBy(i => i.IssuedOn).ThenBy(i => i.Id, StringComparer.Ordinal)];

    private static List<UsageRecord> ExpectedUsage(SupportDataSet data, string customerId, DateOnly from, DateOnly to) =>
        [.. data.Usage.Where(u => OwnedBy(u.SubscriptionId, customerId) && u.Day >= from && u.Day <= to)
            .OrderBy(u => u.Day).ThenBy(u => u.SubscriptionId, StringComparer.Ordinal)];

    private static List<SupportTicket> ExpectedTickets(SupportDataSet data, string customerId) =>
        [.. data.Tickets.Where(t => t.CustomerId == customerId).OrderBy(t => t.OpenedAt).ThenBy(t => t.Id, StringComparer.Ordinal)];

    private static List<SecurityLogEntry> ExpectedLogs(SupportDataSet data, string customerId) =>
        [.. data.SecurityLogs.Where(l => l.CustomerId == customerId).OrderByDescending(l => l.At).ThenByDescending(l => l.Id, StringComparer.Ordinal)];

    private static SupportTicket NewTicket(string customerId, string id) =>
        new(id, customerId, "Router keeps restarting", "The router restarts every hour.", "technical", "normal", "open", Later);

    private static SecurityLogEntry UnlockEntry(string customerId) =>
        new("", customerId, Later, "account-unlocked", "10.20.30.40", "Unlocked by support after an identity check.");

    private static AuditEntry Audit(string customerId, string action, int number = 1) =>
        new($"{customerId}-A{number}", customerId, Later.AddMinutes(number), action, "agent@contoso.example", $"{action} at the customer's request.");

    /// <summary>Same JSON, field for field; decimals compare by value (a store may drop trailing zeros: 1.50 → 1.5).</summary>
    private static void AssertSame<T>(IEnumerable<T> expected, IEnumerable<T> actual) => Assert.Equal(Json(expected.ToList()), Json(actual.ToList()));

    private static void AssertSameRecord<T>(T expected, T? actual) where T : class => Assert.Equal(Json(expected), Json(actual));

    private static readonly JsonSerializerOptions ComparisonOptions = new(SupportJson.Options) { WriteIndented = true, Converters = { new DecimalValueConverter() } };

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, ComparisonOptions);

    private sealed class DecimalValueConverter : JsonConverter<decimal>
    {
        public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDecimal();

        // Dividing by 1.000… strips trailing zeros without changing the value.
        public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) =>
            writer.WriteNumberValue(value / 1.0000000000000000000000000000m);
    }
}

using Microsoft.Extensions.Options;
using Prynai.McpServer.State;
using Prynai.McpServer.Support;
using Prynai.McpServer.Support.Data;

namespace Prynai.Tests.Support;

/// <summary>The seeder, promotion rules and knowledge-base ranking, without a server.</summary>
public sealed class SupportDataTests
{
    private static readonly SupportDataSet Default = SupportDataSeeder.Generate(250, new SupportOptions().GeneratorSeed);

    [Fact]
    public void Seeder_IsDeterministic_AndItsDigestIsStable()
    {
        var again = SupportDataSeeder.Generate(250, new SupportOptions().GeneratorSeed);
        Assert.Equal(SupportDataSeeder.Digest(Default), SupportDataSeeder.Digest(again));
        // Pinned: a change to the generator changes every store's data, so it must be deliberate (update this value).
        var digest = SupportDataSeeder.Digest(Default);
        Assert.True(digest == GoldenDigest, $"The seeded data changed: digest {digest}, pinned {GoldenDigest}.");
        Assert.NotEqual(SupportDataSeeder.Digest(Default), SupportDataSeeder.Digest(SupportDataSeeder.Generate(250, 1)));
        Assert.NotEqual(SupportDataSeeder.Digest(Default), SupportDataSeeder.Digest(SupportDataSeeder.Generate(249, new SupportOptions().GeneratorSeed)));
    }

    private const string GoldenDigest = "a92179e1752b5ddde0967aaae480b5a02f2eb319e8f67168117480d44f5739d3";

    [Fact]
    public void Seeder_CreatesTheRequestedCustomers_PlusTheScenarioCustomers_WithRelatedRecords()
    {
        Assert.Equal(255, Default.Customers.Count);
        Assert.Equal(Default.Customers.Count, Default.Customers.Select(c => c.Id).Distinct().Count());
        Assert.Equal(["C9001", "C9002", "C9003", "C9004", "C9005"], Default.Customers.Where(c => c.Scenario is not null).Select(c => c.Id));
        Assert.All(Default.Customers, customer => Assert.Contains(Default.Subscriptions, s => s.CustomerId == customer.Id));
        Assert.All(Default.Subscriptions, subscription =>
        {
            Assert.Equal(SupportDataSeeder.InvoiceMonths, Default.Invoices.Count(i => i.SubscriptionId == subscription.Id));
            Assert.Equal(SupportDataSeeder.UsageDays, Default.Usage.Count(u => u.SubscriptionId == subscription.Id));
        });
        Assert.All(Default.Payments, payment => Assert.Contains(Default.Invoices, i => i.Id == payment.InvoiceId));
        Assert.All(Default.Invoices.Concat<object>(Default.Subscriptions).Concat(Default.Tickets).Concat(Default.SecurityLogs), record =>
        {
            var (id, owner) = record switch
            {
                Invoice i => (i.Id, i.CustomerId),
                Subscription s => (s.Id, s.CustomerId),
                SupportTicket t => (t.Id, t.CustomerId),
                SecurityLogEntry l => (l.Id, l.CustomerId),
                _ => throw new InvalidOperationException(),
            };
            Assert.StartsWith(owner + "-", id);
        });
        Assert.Equal(Default.Invoices.Count, Default.Invoices.Select(i => i.Id).Distinct().Count());
    }

    [Fact]
    public void ScenarioCustomers_ShowTheirScenario()
    {
        Assert.Contains(Default.Invoices, i => i.CustomerId == "C9001" && i.Status == "overdue");
        Assert.DoesNotContain(Default.Invoices, i => i.CustomerId == "C9005" && i.Status == "overdue");

        Assert.True(Default.Customers.Single(c => c.Id == "C9002").AccountLocked);
        Assert.Equal(1, Default.Customers.Count(c => c.AccountLocked));
        Assert.Equal(5, Default.SecurityLogs.Count(l => l.CustomerId == "C9002" && l.EventType == "sign-in-failed"));

        var internet = Default.Subscriptions.Single(s => s.CustomerId == "C9003");
        Assert.Contains(Default.Incidents, i => i.ResolvedAt is null && i.Region == internet.Region && i.Product == internet.Product);

        var mobile = Default.Subscriptions.Single(s => s.CustomerId == "C9004");
        var report = UsageAnalysis.Summarize("C9004", SupportDataSeeder.AsOf.AddDays(-89), SupportDataSeeder.AsOf, [mobile],
            [.. Default.Usage.Where(u => u.SubscriptionId == mobile.Id)]);
        Assert.Equal(7, report.Subscriptions[0].SpikeDays.Count);
        Assert.All(report.Subscriptions[0].SpikeDays, day => Assert.True(day > SupportDataSeeder.AsOf.AddDays(-7)));

        var today = new DateOnly(2026, 11, 1);
        var eligible = Eligibility("C9005", today);
        Assert.Contains(eligible.Eligible, offer => offer.Promotion.Id == "PROMO-LOYAL10");
        Assert.Contains(eligible.Eligible, offer => offer.Promotion.Id == "PROMO-GOLD15");
        var overdue = Eligibility("C9001", today);
        Assert.Contains(overdue.NotEligible, refusal => refusal.PromotionId == "PROMO-LOYAL10" && refusal.Reasons.Contains("needs no overdue invoices"));
    }

    [Fact]
    public void Promotions_EndOnTheirLastDay()
    {
        var before = Eligibility("C9005", new DateOnly(2027, 12, 31));
        var after = Eligibility("C9005", new DateOnly(2028, 1, 1));
        Assert.Contains(before.Eligible, offer => offer.Promotion.Id == "PROMO-LOYAL10");
        Assert.Contains(after.NotEligible, refusal => refusal.PromotionId == "PROMO-LOYAL10" && refusal.Reasons.Contains("ended on 2027-12-31"));
    }

    [Theory]
    [InlineData("my account is locked after failed sign-ins", "KB-0006")]
    [InlineData("how do I pay an overdue invoice", "KB-0004")]
    [InlineData("internet is slow", "KB-0002")]
    [InlineData("unexpected high data usage spike", "KB-0011")]
    public async Task KnowledgeBase_RanksTheMatchingArticleFirst(string query, string expected)
    {
        var index = new KnowledgeBaseIndex(ReadyDesk(new CatalogOnly()));
        var hits = await index.SearchAsync(query, 5, TestContext.Current.CancellationToken);
        Assert.Equal(expected, hits[0].ArticleId);
        Assert.True(hits.Zip(hits.Skip(1)).All(pair => pair.First.Score >= pair.Second.Score));
        Assert.Empty(await index.SearchAsync("zzzz qqqq", 5, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task KnowledgeBase_SearchedBeforeTheDataIsInPlace_IsRefused_AndFindsArticlesOnceItIs()
    {
        var desk = new SupportDesk(new CatalogOnly(), TimeProvider.System, Options.Create(new SupportOptions()));
        var index = new KnowledgeBaseIndex(desk);

        await Assert.ThrowsAsync<StateStoreUnavailableException>(() => index.SearchAsync("internet is slow", 5, TestContext.Current.CancellationToken));
        desk.MarkReady();
        Assert.Equal("KB-0002", (await index.SearchAsync("internet is slow", 5, TestContext.Current.CancellationToken))[0].ArticleId);
    }

    private static SupportDesk ReadyDesk(ISupportRepository repository)
    {
        var desk = new SupportDesk(repository, TimeProvider.System, Options.Create(new SupportOptions()));
        desk.MarkReady();
        return desk;
    }

    private static PromotionEligibility Eligibility(string customerId, DateOnly today) =>
        PromotionRules.Evaluate(Default.Customers.Single(c => c.Id == customerId), [.. Default.Subscriptions.Where(s => s.CustomerId == customerId)],
            [.. Default.Invoices.Where(i => i.CustomerId == customerId)], Default.Promotions, today);

    /// <summary>A repository that only serves the catalog's articles (what the index reads).</summary>
    private sealed class CatalogOnly : ISupportRepository
    {
        public string Kind => "test";
        public Task<IReadOnlyList<KnowledgeArticle>> GetArticlesAsync(CancellationToken cancellationToken) => Task.FromResult(Default.Articles);
        public Task InitializeAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<SeedMarker?> GetSeedMarkerAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task ReplaceAllAsync(SupportDataSet data, SeedMarker marker, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<bool> TryBeginSeedingAsync(TimeSpan lease, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<Customer?> GetCustomerAsync(string customerId, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<Subscription>> GetSubscriptionsAsync(string customerId, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<Invoice>> GetInvoicesAsync(string customerId, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<Payment>> GetPaymentsAsync(string customerId, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<UsageRecord>> GetUsageAsync(string customerId, DateOnly from, DateOnly to, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<SupportTicket>> GetTicketsAsync(string customerId, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<SupportTicket> AddTicketAsync(SupportTicket ticket, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<SecurityLogEntry>> GetSecurityLogsAsync(string customerId, int limit, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<AuditEntry>> GetAuditEntriesAsync(string customerId, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task UpdateSubscriptionAsync(Subscription subscription, AuditEntry audit, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task UnlockAccountAsync(string customerId, SecurityLogEntry logEntry, AuditEntry audit, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<Promotion>> GetPromotionsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<Incident>> GetIncidentsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<KnowledgeArticle?> GetArticleAsync(string articleId, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}

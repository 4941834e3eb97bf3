using System.Security.Cryptography;
using System.Text.Json;

namespace Prynai.McpServer.Support.Data;

/// <summary>
/// Generates the support desk's data: <c>count</c> customers with subscriptions, invoices, payments, daily usage,
/// tickets and security logs, plus the named scenario customers (<see cref="Scenarios"/>) and the fixed catalog.
/// Same seed and count → same data, byte for byte (<see cref="Digest"/>); dates are fixed, not relative to today.
/// </summary>
public static class SupportDataSeeder
{
    /// <summary>The last day the generated history covers.</summary>
    public static readonly DateOnly AsOf = new(2026, 10, 31);

    public const int UsageDays = 90;
    public const int InvoiceMonths = 6;

    /// <summary>The named scenario customers: id → scenario.</summary>
    public static IReadOnlyDictionary<string, string> Scenarios { get; } = new Dictionary<string, string>
    {
        ["C9001"] = "overdue-invoice",
        ["C9002"] = "locked-account",
        ["C9003"] = "service-incident",
        ["C9004"] = "usage-spike",
        ["C9005"] = "promotion-eligible",
    };

    private static readonly string[] FirstNames = ["Alex", "Sam", "Jordan", "Taylor", "Morgan", "Casey", "Riley", "Jamie", "Avery", "Quinn", "Noah", "Emma", "Liam", "Sofia", "Mateo", "Yuki", "Amara", "Lars", "Ines", "Omar"];
    private static readonly string[] LastNames = ["Smith", "Garcia", "Müller", "Kowalski", "Okafor", "Tanaka", "Silva", "Novak", "Jensen", "Rossi", "Dubois", "Khan", "Murphy", "Ivanova", "Haddad", "Larsen"];
    private static readonly string[] Streets = ["Oak Street", "Harbour Road", "Maple Avenue", "Station Lane", "Mill Way", "Park Crescent"];
    private static readonly string[] Loyalty = ["standard", "standard", "silver", "silver", "gold", "platinum"];
    private static readonly string[] Products = ["mobile", "home-internet", "tv", "bundle"];
    private static readonly string[] Plans = ["basic", "standard", "premium", "unlimited"];
    private static readonly string[] Regions = ["north", "south", "east", "west"];
    private static readonly string[] PaymentMethods = ["card", "bank-transfer", "direct-debit"];
    private static readonly (string Subject, string Category)[] TicketTopics =
    [
        ("Invoice amount higher than expected", "billing"), ("Router keeps restarting", "technical"),
        ("Cannot sign in to the app", "account"), ("Question about roaming charges", "billing"),
        ("TV guide not loading", "technical"), ("Change of address", "other"),
    ];

    public static SupportDataSet Generate(int customerCount, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(customerCount);
        var random = new Random(seed);
        var data = new Builder();
        for (var n = 1; n <= customerCount; n++)
        {
            data.AddCustomer(random, $"C{n:D4}", scenario: null);
        }
        foreach (var (id, scenario) in Scenarios)
        {
            data.AddCustomer(random, id, scenario);
        }
        return new SupportDataSet(data.Customers, data.Subscriptions, data.Invoices, data.Payments, data.Usage, data.Tickets, data.SecurityLogs,
            SupportCatalog.Promotions, SupportCatalog.Incidents, SupportCatalog.Articles);
    }

    /// <summary>A stable SHA-256 (hex) of the data set's canonical JSON.</summary>
    public static string Digest(SupportDataSet data) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(data)));

    private sealed class Builder
    {
        public List<Customer> Customers { get; } = [];
        public List<Subscription> Subscriptions { get; } = [];
        public List<Invoice> Invoices { get; } = [];
        public List<Payment> Payments { get; } = [];
        public List<UsageRecord> Usage { get; } = [];
        public List<SupportTicket> Tickets { get; } = [];
        public List<SecurityLogEntry> SecurityLogs { get; } = [];

        public void AddCustomer(Random random, string id, string? scenario)
        {
            var first = Pick(random, FirstNames);
            var last = Pick(random, LastNames);
            var joined = AsOf.AddDays(-random.Next(60, 3650));
            var loyalty = Pick(random, Loyalty);
            (joined, loyalty) = scenario switch
            {
                "promotion-eligible" => (AsOf.AddYears(-6), "platinum"),
                "overdue-invoice" => (AsOf.AddYears(-2), "standard"),
                _ => (joined, loyalty),
            };
            var customer = new Customer(id, $"{first} {last}", $"{first}.{last}.{id}@example.com".ToLowerInvariant(),
                $"+1-555-{random.Next(1000, 9999)}", $"{random.Next(1, 250)} {Pick(random, Streets)}, Springfield",
                loyalty, joined, AccountLocked: scenario == "locked-account", scenario);
            Customers.Add(customer);

            var subscriptionCount = scenario is null ? random.Next(1, 3) : 1;
            for (var s = 1; s <= subscriptionCount; s++)
            {
                AddSubscription(random, customer, s, scenario);
            }
            AddTickets(random, customer, scenario);
            AddSecurityLogs(random, customer, scenario);
        }

        private void AddSubscription(Random random, Customer customer, int number, string? scenario)
        {
            var product = scenario switch
            {
                "service-incident" => "home-internet",
                "usage-spike" => "mobile",
                "promotion-eligible" => "bundle",
                _ => Pick(random, Products),
            };
            var plan = scenario == "usage-spike" ? "basic" : Pick(random, Plans);
            var region = scenario == "service-incident" ? "east" : Pick(random, Regions);
            var (fee, cap) = SupportPlans.Price(plan, product);
            var started = customer.JoinedOn.AddDays(random.Next(0, 30));
            var subscription = new Subscription($"{customer.Id}-S{number}", customer.Id, product, plan, "active", fee, cap, region,
                started, AutoRenew: random.Next(4) != 0);
            Subscriptions.Add(subscription);

            for (var month = InvoiceMonths; month >= 1; month--)
            {
                AddInvoice(random, subscription, month, scenario);
            }

            var dailyNormal = cap == 0 ? 3m : cap / 30m * 0.6m;
            for (var day = UsageDays - 1; day >= 0; day--)
            {
                var factor = 0.5m + (decimal)random.NextDouble();
                if (scenario == "usage-spike" && day < 7)
                {
                    factor *= 6;
                }
                Usage.Add(new UsageRecord(subscription.Id, AsOf.AddDays(-day), Math.Round(dailyNormal * factor, 2)));
            }
        }

        private void AddInvoice(Random random, Subscription subscription, int monthsAgo, string? scenario)
        {
            var issued = new DateOnly(AsOf.Year, AsOf.Month, 20).AddMonths(-monthsAgo + 1);
            var due = issued.AddDays(14);
            var amount = Math.Round(subscription.MonthlyFee * (1.05m + (decimal)random.NextDouble() * 0.2m), 2);
            var number = Invoices.Count(invoice => invoice.CustomerId == subscription.CustomerId) + 1;
            var id = $"{subscription.CustomerId}-INV-{number:D3}";
            var overdue = scenario == "overdue-invoice" && monthsAgo == 3;
            var latest = monthsAgo == 1 && due >= AsOf;
            string status;
            if (overdue)
            {
                status = "overdue";
                Payments.Add(new Payment($"{id}-P1", id, due.AddDays(10), Math.Round(amount / 4, 2), "card"));
            }
            else if (latest || random.Next(20) == 0)
            {
                status = latest ? "open" : "partially-paid";
                if (!latest)
                {
                    Payments.Add(new Payment($"{id}-P1", id, due.AddDays(-2), Math.Round(amount / 2, 2), Pick(random, PaymentMethods)));
                }
            }
            else
            {
                status = "paid";
                Payments.Add(new Payment($"{id}-P1", id, due.AddDays(-random.Next(0, 10)), amount, Pick(random, PaymentMethods)));
            }
            Invoices.Add(new Invoice(id, subscription.CustomerId, subscription.Id, issued, due, amount, status));
        }

        private void AddTickets(Random random, Customer customer, string? scenario)
        {
            var count = scenario is null ? random.Next(0, 3) : 0;
            for (var t = 1; t <= count; t++)
            {
                var (subject, category) = Pick(random, TicketTopics);
                Tickets.Add(new SupportTicket($"{customer.Id}-T{t}", customer.Id, subject, $"Customer reported: {subject.ToLowerInvariant()}.",
                    category, Pick(random, ["low", "normal", "high"]), Pick(random, ["open", "closed", "closed"]), At(AsOf.AddDays(-random.Next(1, 120)), random)));
            }
            if (scenario == "service-incident")
            {
                Tickets.Add(new SupportTicket($"{customer.Id}-T1", customer.Id, "Internet very slow since Thursday",
                    "Home internet drops every few minutes and speed tests show under 5 Mbit/s.", "technical", "high", "open", At(AsOf.AddDays(-1), random)));
            }
        }

        private void AddSecurityLogs(Random random, Customer customer, string? scenario)
        {
            var ip = $"203.0.113.{random.Next(1, 255)}";
            var count = random.Next(2, 6);
            for (var l = 1; l <= count; l++)
            {
                Log(customer, At(AsOf.AddDays(-random.Next(5, 90)), random), "sign-in-succeeded", ip, "Signed in to the app.");
            }
            if (scenario == "locked-account")
            {
                var at = At(AsOf.AddDays(-1), random);
                for (var attempt = 1; attempt <= 5; attempt++)
                {
                    Log(customer, at.AddMinutes(attempt), "sign-in-failed", "198.51.100.77", $"Wrong password (attempt {attempt}).");
                }
                Log(customer, at.AddMinutes(6), "account-locked", "198.51.100.77", "Locked after 5 failed sign-ins.");
            }
        }

        private void Log(Customer customer, DateTimeOffset at, string type, string ip, string detail)
        {
            var number = SecurityLogs.Count(entry => entry.CustomerId == customer.Id) + 1;
            SecurityLogs.Add(new SecurityLogEntry($"{customer.Id}-L{number}", customer.Id, at, type, ip, detail));
        }

        private static DateTimeOffset At(DateOnly day, Random random) =>
            new(day.ToDateTime(new TimeOnly(random.Next(6, 23), random.Next(0, 60))), TimeSpan.Zero);

        private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];
    }
}

using System.Globalization;
using System.Security.Claims;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using Prynai.McpServer.State;
using Prynai.McpServer.Support.Data;

namespace Prynai.McpServer.Support;

/// <summary>
/// What the support tools, resources and experts share: loading records with clear errors for unknown ids, input
/// checks, and the derived views (balances, promotion eligibility, usage summaries).
/// </summary>
public sealed class SupportDesk(ISupportRepository repository, TimeProvider time, IOptions<SupportOptions> options)
{
    /// <summary>How far back "recent" usage looks: the 90 days ending at the newest record.</summary>
    public const int RecentUsageDays = 90;

    public const int MaxUsageRangeDays = 366;

    private volatile bool _ready;

    /// <summary>The store, once its schema and seed data are in place; before that, a "store unavailable" error.</summary>
    public ISupportRepository Repository => _ready ? repository : throw new StateStoreUnavailableException($"{repository.Kind} support data");

    internal void MarkReady() => _ready = true;

    /// <summary>Whether the store's schema and data are in place (readiness reports it).</summary>
    public bool IsReady => _ready;

    public DateOnly Today => options.Value.Today ?? DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    public DateTimeOffset Now => time.GetUtcNow();

    public async Task<Customer> RequireCustomerAsync(string? customerId, CancellationToken cancellationToken)
    {
        var id = SupportIds.Customer(customerId);
        return await Repository.GetCustomerAsync(id, cancellationToken)
            ?? throw new McpException($"No customer has the id {id}.");
    }

    public async Task<(Customer Customer, Subscription Subscription)> RequireSubscriptionAsync(string? subscriptionId, CancellationToken cancellationToken)
    {
        var (id, customerId) = SupportIds.Subscription(subscriptionId);
        var customer = await Repository.GetCustomerAsync(customerId, cancellationToken);
        var subscription = customer is null ? null : (await Repository.GetSubscriptionsAsync(customerId, cancellationToken)).FirstOrDefault(s => s.Id == id);
        return subscription is null
            ? throw new McpException($"No subscription has the id {id}.")
            : (customer!, subscription);
    }

    public async Task<(Invoice Invoice, IReadOnlyList<Payment> Payments)> RequireInvoiceAsync(string? invoiceId, CancellationToken cancellationToken)
    {
        var (id, customerId) = SupportIds.Invoice(invoiceId);
        var invoice = (await Repository.GetInvoicesAsync(customerId, cancellationToken)).FirstOrDefault(i => i.Id == id)
            ?? throw new McpException($"No invoice has the id {id}.");
        var payments = (await Repository.GetPaymentsAsync(customerId, cancellationToken)).Where(p => p.InvoiceId == id).ToList();
        return (invoice, payments);
    }

    /// <summary>The customer's usage over the <see cref="RecentUsageDays"/> days ending at their newest record (up to today).</summary>
    public async Task<(DateOnly From, DateOnly To, IReadOnlyList<UsageRecord> Usage)> RecentUsageAsync(string customerId, CancellationToken cancellationToken)
    {
        var all = await Repository.GetUsageAsync(customerId, Today.AddYears(-2), Today, cancellationToken);
        var to = all.Count == 0 ? Today : all.Max(u => u.Day);
        var from = to.AddDays(1 - RecentUsageDays);
        return (from, to, [.. all.Where(u => u.Day >= from)]);
    }

    /// <summary>A yyyy-MM-dd argument, or a tool error naming the parameter.</summary>
    public static DateOnly ParseDay(string? value, string parameter) =>
        DateOnly.TryParseExact(value?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : throw new McpException($"'{parameter}' must be a date written yyyy-MM-dd (e.g. 2026-10-01), got '{SupportIds.Shorten(value)}'.");

    public static (DateOnly From, DateOnly To) ParseRange(string? from, string? to)
    {
        var first = ParseDay(from, "from");
        var last = ParseDay(to, "to");
        if (last < first)
        {
            throw new McpException($"'from' ({first:yyyy-MM-dd}) is after 'to' ({last:yyyy-MM-dd}); give the earlier date first.");
        }
        return last.DayNumber - first.DayNumber + 1 > MaxUsageRangeDays
            ? throw new McpException($"The range {first:yyyy-MM-dd}..{last:yyyy-MM-dd} is longer than {MaxUsageRangeDays} days; ask for a shorter one.")
            : (first, last);
    }

    /// <summary>One of <paramref name="allowed"/> (case-insensitive, returned as listed), or a tool error listing them.</summary>
    public static string OneOf(string? value, string parameter, params string[] allowed) =>
        allowed.FirstOrDefault(option => string.Equals(option, value?.Trim(), StringComparison.OrdinalIgnoreCase))
            ?? throw new McpException($"'{parameter}' must be one of {string.Join(", ", allowed)}; got '{SupportIds.Shorten(value)}'.");

    /// <summary>Trimmed text of 1 to <paramref name="maxLength"/> characters, or a tool error.</summary>
    public static string Text(string? value, string parameter, int maxLength)
    {
        var text = value?.Trim() ?? "";
        return text.Length == 0
            ? throw new McpException($"'{parameter}' must not be empty.")
            : text.Length > maxLength
                ? throw new McpException($"'{parameter}' is {text.Length} characters long; at most {maxLength} are allowed.")
                : text;
    }

    public static decimal BalanceDue(IEnumerable<Invoice> invoices, IEnumerable<Payment> payments)
    {
        var paid = payments.GroupBy(p => p.InvoiceId).ToDictionary(g => g.Key, g => g.Sum(p => p.Amount));
        return invoices.Where(i => i.Status != "paid").Sum(i => Math.Max(0, i.Amount - paid.GetValueOrDefault(i.Id)));
    }

    /// <summary>Who is acting, for audit entries: the token's name, else its object or client id.</summary>
    public static string Actor(ClaimsPrincipal? user)
    {
        if (user?.Identity?.IsAuthenticated != true)
        {
            return "anonymous (authentication off)";
        }
        string? Claim(params string[] types) => types.Select(type => user.FindFirst(type)?.Value).FirstOrDefault(value => !string.IsNullOrEmpty(value));
        var name = Claim("preferred_username", "name", "upn", ClaimTypes.Name);
        var id = Claim("oid", "http://schemas.microsoft.com/identity/claims/objectidentifier", "azp", "appid", "sub", ClaimTypes.NameIdentifier);
        return name is null ? id ?? "unknown caller" : id is null ? name : $"{name} ({id})";
    }

    public AuditEntry Audit(string customerId, string action, ClaimsPrincipal? user, string detail) =>
        new($"{customerId}-A{Now:yyyyMMddHHmmssfffffff}-{Random.Shared.Next(0x10000):x4}", customerId, Now, action, Actor(user), detail);
}

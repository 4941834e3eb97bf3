using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ModelContextProtocol.Server;
using Prynai.McpServer.Support.Data;

namespace Prynai.McpServer.Support.Tools;

/// <summary>The support desk's customer, subscription, ticket, security-log and knowledge-base tools.</summary>
[McpServerToolType]
public sealed class CustomerTools
{
    public const int MaxSubjectLength = 200;
    public const int MaxDescriptionLength = 4000;
    public const int MaxQueryLength = 500;
    internal const int MaxIdLength = 64;

    [McpServerTool(Name = "get_customer_detail", Title = "Customer detail", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("A customer's profile with their subscriptions, balance due and open tickets.")]
    public static async Task<CustomerDetail> GetCustomerDetail(
        SupportDesk desk,
        [Description("Customer id, e.g. C0042."), MaxLength(MaxIdLength)] string customer_id,
        CancellationToken cancellationToken = default)
    {
        var customer = await desk.RequireCustomerAsync(customer_id, cancellationToken);
        var repository = desk.Repository;
        var subscriptions = await repository.GetSubscriptionsAsync(customer.Id, cancellationToken);
        var invoices = await repository.GetInvoicesAsync(customer.Id, cancellationToken);
        var payments = await repository.GetPaymentsAsync(customer.Id, cancellationToken);
        var tickets = await repository.GetTicketsAsync(customer.Id, cancellationToken);
        return new CustomerDetail(customer, subscriptions, SupportDesk.BalanceDue(invoices, payments),
            invoices.Count(i => i.Status == "overdue"), tickets.Count(t => t.Status != "closed"));
    }

    [McpServerTool(Name = "get_subscription_detail", Title = "Subscription detail", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("A subscription with its invoices and the service incidents affecting its product in its region.")]
    public static async Task<SubscriptionDetail> GetSubscriptionDetail(
        SupportDesk desk,
        [Description("Subscription id, e.g. C0042-S1."), MaxLength(MaxIdLength)] string subscription_id,
        CancellationToken cancellationToken = default)
    {
        var (_, subscription) = await desk.RequireSubscriptionAsync(subscription_id, cancellationToken);
        var invoices = (await desk.Repository.GetInvoicesAsync(subscription.CustomerId, cancellationToken)).Where(i => i.SubscriptionId == subscription.Id).ToList();
        var incidents = (await desk.Repository.GetIncidentsAsync(cancellationToken)).Where(i => Affects(i, subscription)).ToList();
        return new SubscriptionDetail(subscription, invoices, incidents);
    }

    [McpServerTool(Name = "list_support_tickets", Title = "Support tickets", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("A customer's support tickets, oldest first, optionally only those with one status.")]
    public static async Task<TicketList> ListSupportTickets(
        SupportDesk desk,
        [Description("Customer id, e.g. C0042."), MaxLength(MaxIdLength)] string customer_id,
        [Description("open, in-progress, closed or all (default)."), MaxLength(MaxIdLength)] string status = "all",
        CancellationToken cancellationToken = default)
    {
        var wanted = SupportDesk.OneOf(status, "status", "all", "open", "in-progress", "closed");
        var customer = await desk.RequireCustomerAsync(customer_id, cancellationToken);
        var tickets = await desk.Repository.GetTicketsAsync(customer.Id, cancellationToken);
        return new TicketList(customer.Id, [.. tickets.Where(t => wanted == "all" || t.Status == wanted)]);
    }

    [McpServerTool(Name = "create_support_ticket", Title = "Create support ticket", Destructive = false, Idempotent = false, OpenWorld = false, UseStructuredContent = true)]
    [Description("Opens a support ticket for a customer and returns it with its new id.")]
    public static async Task<SupportTicket> CreateSupportTicket(
        SupportDesk desk,
        [Description("Customer id, e.g. C0042."), MaxLength(MaxIdLength)] string customer_id,
        [Description("Short subject (at most 200 characters)."), MaxLength(MaxSubjectLength)] string subject,
        [Description("What the customer reported (at most 4,000 characters)."), MaxLength(MaxDescriptionLength)] string description,
        [Description("billing, technical, account or other (default)."), MaxLength(MaxIdLength)] string category = "other",
        [Description("low, normal (default), high or urgent."), MaxLength(MaxIdLength)] string priority = "normal",
        CancellationToken cancellationToken = default)
    {
        var ticket = new SupportTicket("", SupportIds.Customer(customer_id),
            SupportDesk.Text(subject, "subject", MaxSubjectLength), SupportDesk.Text(description, "description", MaxDescriptionLength),
            SupportDesk.OneOf(category, "category", "billing", "technical", "account", "other"),
            SupportDesk.OneOf(priority, "priority", "low", "normal", "high", "urgent"), "open", desk.Now);
        await desk.RequireCustomerAsync(ticket.CustomerId, cancellationToken);
        return await desk.Repository.AddTicketAsync(ticket, cancellationToken);
    }

    [McpServerTool(Name = "get_security_logs", Title = "Security log", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("A customer's security events (sign-ins, lockouts, unlocks), newest first.")]
    public static async Task<SecurityLogReport> GetSecurityLogs(
        SupportDesk desk,
        [Description("Customer id, e.g. C0042."), MaxLength(MaxIdLength)] string customer_id,
        [Description("How many entries, newest first (1-200, default 50)."), Range(1, 200)] int limit = 50,
        CancellationToken cancellationToken = default)
    {
        var customer = await desk.RequireCustomerAsync(customer_id, cancellationToken);
        var entries = await desk.Repository.GetSecurityLogsAsync(customer.Id, limit, cancellationToken);
        return new SecurityLogReport(customer.Id, customer.AccountLocked, entries.Count(e => e.EventType == "sign-in-failed"), entries);
    }

    [McpServerTool(Name = "search_knowledge_base", Title = "Search the knowledge base", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Searches the knowledge base (BM25 over titles and text) and returns the best matches, best first. Read an article in full as kb://{article_id}.")]
    public static async Task<KnowledgeSearchResult> SearchKnowledgeBase(
        KnowledgeBaseIndex index,
        [Description("What to look for, in words (at most 500 characters)."), MaxLength(MaxQueryLength)] string query,
        [Description("How many results (1-20, default 5)."), Range(1, 20)] int top = 5,
        CancellationToken cancellationToken = default)
    {
        var text = SupportDesk.Text(query, "query", MaxQueryLength);
        return new KnowledgeSearchResult(text, await index.SearchAsync(text, top, cancellationToken));
    }

    internal static bool Affects(Incident incident, Subscription subscription) =>
        incident.Region == subscription.Region &&
        (incident.Product == subscription.Product || (subscription.Product == "bundle" && incident.Product is "mobile" or "home-internet" or "tv"));
}

/// <summary>The outcome of get_customer_detail.</summary>
public sealed record CustomerDetail(
    [property: Description("The customer.")] Customer Customer,
    [property: Description("Their subscriptions.")] IReadOnlyList<Subscription> Subscriptions,
    [property: Description("Unpaid amount over all invoices, in USD.")] decimal BalanceDue,
    [property: Description("How many invoices are overdue.")] int OverdueInvoices,
    [property: Description("How many tickets are not closed.")] int OpenTickets);

/// <summary>The outcome of get_subscription_detail.</summary>
public sealed record SubscriptionDetail(
    [property: Description("The subscription.")] Subscription Subscription,
    [property: Description("Its invoices, oldest first.")] IReadOnlyList<Invoice> Invoices,
    [property: Description("Incidents (ongoing or past) affecting its product in its region.")] IReadOnlyList<Incident> Incidents);

/// <summary>The outcome of list_support_tickets.</summary>
public sealed record TicketList(
    [property: Description("The customer's id.")] string CustomerId,
    [property: Description("The tickets.")] IReadOnlyList<SupportTicket> Tickets);

/// <summary>The outcome of get_security_logs.</summary>
public sealed record SecurityLogReport(
    [property: Description("The customer's id.")] string CustomerId,
    [property: Description("True while the account is locked.")] bool AccountLocked,
    [property: Description("Failed sign-ins among the returned entries.")] int FailedSignIns,
    [property: Description("The entries, newest first.")] IReadOnlyList<SecurityLogEntry> Entries);

/// <summary>The outcome of search_knowledge_base.</summary>
public sealed record KnowledgeSearchResult(
    [property: Description("The query as searched.")] string Query,
    [property: Description("Matches, best first.")] IReadOnlyList<KnowledgeHit> Results);

using System.ComponentModel;

namespace Prynai.McpServer.Support.Data;

// The Contoso support desk's records (seed 003). Identifiers of everything owned by a customer start with the
// customer's id ("C0042-S1", "C0042-INV-003"), so every store can find the owner — Cosmos DB's partition — from the
// id alone, and every read is a point read or a single-partition query.

/// <summary>A customer of Contoso.</summary>
public sealed record Customer(
    [property: Description("Customer id, e.g. C0042.")] string Id,
    [property: Description("Full name.")] string Name,
    [property: Description("E-mail address.")] string Email,
    [property: Description("Phone number.")] string Phone,
    [property: Description("Postal address.")] string Address,
    [property: Description("Loyalty level: standard, silver, gold or platinum.")] string LoyaltyLevel,
    [property: Description("The day the customer joined.")] DateOnly JoinedOn,
    [property: Description("True while the online account is locked (e.g. after failed sign-ins).")] bool AccountLocked,
    [property: Description("The named scenario this customer illustrates; absent for generated customers.")] string? Scenario);

/// <summary>A customer's subscription to a product.</summary>
public sealed record Subscription(
    [property: Description("Subscription id, e.g. C0042-S1.")] string Id,
    [property: Description("The owning customer's id.")] string CustomerId,
    [property: Description("Product: mobile, home-internet, tv or bundle.")] string Product,
    [property: Description("Plan: basic, standard, premium or unlimited.")] string Plan,
    [property: Description("active, suspended or cancelled.")] string Status,
    [property: Description("Monthly fee in USD.")] decimal MonthlyFee,
    [property: Description("Monthly data allowance in GB (0 = unlimited).")] int DataCapGb,
    [property: Description("The service region, e.g. north.")] string Region,
    [property: Description("The day the subscription started.")] DateOnly StartedOn,
    [property: Description("Renews automatically at the end of each term.")] bool AutoRenew);

/// <summary>A monthly invoice for a subscription.</summary>
public sealed record Invoice(
    [property: Description("Invoice id, e.g. C0042-INV-003.")] string Id,
    [property: Description("The owning customer's id.")] string CustomerId,
    [property: Description("The invoiced subscription's id.")] string SubscriptionId,
    [property: Description("Issue date.")] DateOnly IssuedOn,
    [property: Description("Due date.")] DateOnly DueOn,
    [property: Description("Invoiced amount in USD.")] decimal Amount,
    [property: Description("paid, partially-paid, open or overdue.")] string Status);

/// <summary>A payment against an invoice.</summary>
public sealed record Payment(
    [property: Description("Payment id, e.g. C0042-INV-003-P1.")] string Id,
    [property: Description("The paid invoice's id.")] string InvoiceId,
    [property: Description("Payment date.")] DateOnly PaidOn,
    [property: Description("Amount in USD.")] decimal Amount,
    [property: Description("card, bank-transfer or direct-debit.")] string Method);

/// <summary>One day's data usage on a subscription.</summary>
public sealed record UsageRecord(
    [property: Description("The subscription's id.")] string SubscriptionId,
    [property: Description("The day.")] DateOnly Day,
    [property: Description("Data used that day, in GB.")] decimal DataGb);

/// <summary>A support ticket.</summary>
public sealed record SupportTicket(
    [property: Description("Ticket id, e.g. C0042-T1.")] string Id,
    [property: Description("The customer's id.")] string CustomerId,
    [property: Description("Short subject.")] string Subject,
    [property: Description("What the customer reported.")] string Description,
    [property: Description("billing, technical, account or other.")] string Category,
    [property: Description("low, normal, high or urgent.")] string Priority,
    [property: Description("open, in-progress or closed.")] string Status,
    [property: Description("When the ticket was opened (UTC).")] DateTimeOffset OpenedAt);

/// <summary>A security event on a customer's account.</summary>
public sealed record SecurityLogEntry(
    [property: Description("Entry id.")] string Id,
    [property: Description("The customer's id.")] string CustomerId,
    [property: Description("When it happened (UTC).")] DateTimeOffset At,
    [property: Description("sign-in-succeeded, sign-in-failed, account-locked, account-unlocked, password-changed or mfa-enrolled.")] string EventType,
    [property: Description("The client address.")] string IpAddress,
    [property: Description("Details.")] string Detail);

/// <summary>A promotion and the rules a customer must meet for it.</summary>
public sealed record Promotion(
    [property: Description("Promotion id, e.g. PROMO-LOYAL10.")] string Id,
    [property: Description("Name.")] string Name,
    [property: Description("What the customer gets.")] string Description,
    [property: Description("Discount in percent of the monthly fee.")] int DiscountPercent,
    [property: Description("Minimum months as a customer.")] int MinTenureMonths,
    [property: Description("Loyalty levels that qualify; empty = all.")] IReadOnlyList<string> LoyaltyLevels,
    [property: Description("Products that qualify; empty = all.")] IReadOnlyList<string> Products,
    [property: Description("Only customers without overdue invoices qualify.")] bool RequiresGoodStanding,
    [property: Description("Last day the promotion can be taken.")] DateOnly ValidUntil);

/// <summary>A service incident in a region.</summary>
public sealed record Incident(
    [property: Description("Incident id.")] string Id,
    [property: Description("Affected product.")] string Product,
    [property: Description("Affected region.")] string Region,
    [property: Description("What is wrong.")] string Summary,
    [property: Description("minor, major or critical.")] string Severity,
    [property: Description("When it started (UTC).")] DateTimeOffset StartedAt,
    [property: Description("When it was resolved (UTC); absent while ongoing.")] DateTimeOffset? ResolvedAt);

/// <summary>A knowledge-base article.</summary>
public sealed record KnowledgeArticle(
    [property: Description("Article id, e.g. KB-0007.")] string Id,
    [property: Description("Title.")] string Title,
    [property: Description("Category.")] string Category,
    [property: Description("The article's text.")] string Body);

/// <summary>A privileged action, recorded when it is taken.</summary>
public sealed record AuditEntry(
    [property: Description("Entry id.")] string Id,
    [property: Description("The customer the action concerned.")] string CustomerId,
    [property: Description("When (UTC).")] DateTimeOffset At,
    [property: Description("The action, e.g. unlock_account.")] string Action,
    [property: Description("Who: the caller's name, object id or client id.")] string Actor,
    [property: Description("What changed and why.")] string Detail);

using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ModelContextProtocol.Server;
using Prynai.McpServer.Support.Data;

namespace Prynai.McpServer.Support.Tools;

/// <summary>The support desk's billing and usage tools.</summary>
[McpServerToolType]
public sealed class BillingTools
{
    [McpServerTool(Name = "list_invoices", Title = "Invoices", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("A customer's invoices, oldest first, optionally only those with one status, with the balance due.")]
    public static async Task<InvoiceList> ListInvoices(
        SupportDesk desk,
        [Description("Customer id, e.g. C0042."), MaxLength(CustomerTools.MaxIdLength)] string customer_id,
        [Description("paid, partially-paid, open, overdue or all (default)."), MaxLength(CustomerTools.MaxIdLength)] string status = "all",
        CancellationToken cancellationToken = default)
    {
        var wanted = SupportDesk.OneOf(status, "status", "all", "paid", "partially-paid", "open", "overdue");
        var customer = await desk.RequireCustomerAsync(customer_id, cancellationToken);
        var invoices = await desk.Repository.GetInvoicesAsync(customer.Id, cancellationToken);
        var payments = await desk.Repository.GetPaymentsAsync(customer.Id, cancellationToken);
        return new InvoiceList(customer.Id, [.. invoices.Where(i => wanted == "all" || i.Status == wanted)], SupportDesk.BalanceDue(invoices, payments));
    }

    [McpServerTool(Name = "get_invoice_payments", Title = "Invoice payments", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("An invoice with the payments made against it and what remains to pay.")]
    public static async Task<InvoicePayments> GetInvoicePayments(
        SupportDesk desk,
        [Description("Invoice id, e.g. C0042-INV-003."), MaxLength(CustomerTools.MaxIdLength)] string invoice_id,
        CancellationToken cancellationToken = default)
    {
        var (invoice, payments) = await desk.RequireInvoiceAsync(invoice_id, cancellationToken);
        var paid = payments.Sum(p => p.Amount);
        return new InvoicePayments(invoice, payments, paid, Math.Max(0, invoice.Amount - paid));
    }

    [McpServerTool(Name = "get_data_usage", Title = "Data usage", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("A customer's daily data usage between two days (inclusive, at most 366 days), per subscription, with peak and spike days.")]
    public static async Task<DataUsageReport> GetDataUsage(
        SupportDesk desk,
        [Description("Customer id, e.g. C0042."), MaxLength(CustomerTools.MaxIdLength)] string customer_id,
        [Description("First day, yyyy-MM-dd."), MaxLength(CustomerTools.MaxIdLength)] string from,
        [Description("Last day, yyyy-MM-dd (not before from)."), MaxLength(CustomerTools.MaxIdLength)] string to,
        CancellationToken cancellationToken = default)
    {
        var (first, last) = SupportDesk.ParseRange(from, to);
        var customer = await desk.RequireCustomerAsync(customer_id, cancellationToken);
        var subscriptions = await desk.Repository.GetSubscriptionsAsync(customer.Id, cancellationToken);
        var usage = await desk.Repository.GetUsageAsync(customer.Id, first, last, cancellationToken);
        return UsageAnalysis.Summarize(customer.Id, first, last, subscriptions, usage);
    }

    [McpServerTool(Name = "get_eligible_promotions", Title = "Eligible promotions", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("The promotions a customer qualifies for today, with the estimated monthly saving, and why they do not qualify for the others.")]
    public static async Task<PromotionEligibility> GetEligiblePromotions(
        SupportDesk desk,
        [Description("Customer id, e.g. C0042."), MaxLength(CustomerTools.MaxIdLength)] string customer_id,
        CancellationToken cancellationToken = default)
    {
        var customer = await desk.RequireCustomerAsync(customer_id, cancellationToken);
        return PromotionRules.Evaluate(customer,
            await desk.Repository.GetSubscriptionsAsync(customer.Id, cancellationToken),
            await desk.Repository.GetInvoicesAsync(customer.Id, cancellationToken),
            await desk.Repository.GetPromotionsAsync(cancellationToken),
            desk.Today);
    }
}

/// <summary>The outcome of list_invoices.</summary>
public sealed record InvoiceList(
    [property: Description("The customer's id.")] string CustomerId,
    [property: Description("The invoices, oldest first.")] IReadOnlyList<Invoice> Invoices,
    [property: Description("Unpaid amount over all the customer's invoices, in USD.")] decimal BalanceDue);

/// <summary>The outcome of get_invoice_payments.</summary>
public sealed record InvoicePayments(
    [property: Description("The invoice.")] Invoice Invoice,
    [property: Description("Payments against it, oldest first.")] IReadOnlyList<Payment> Payments,
    [property: Description("Total paid, in USD.")] decimal Paid,
    [property: Description("What remains to pay, in USD.")] decimal Outstanding);

using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Prynai.McpServer.Support.Data;

namespace Prynai.McpServer.Support.Tools;

/// <summary>
/// Actions that change an account, each restricted to an app role: callers without it do not see the tool in
/// tools/list and are refused when calling it. Every change is written with an audit entry.
/// </summary>
[McpServerToolType]
public sealed class PrivilegedTools
{
    public const string BillingRole = "billing";
    public const string SecurityRole = "security";
    public const decimal MaxMonthlyFee = 10_000m;
    public const int MaxReasonLength = 500;

    [McpServerTool(Name = "update_subscription", Title = "Update subscription", Destructive = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Authorize(Roles = BillingRole)]
    [Description("Changes a subscription's plan, status, auto-renewal or negotiated monthly fee, and records who did it and why. Requires the app role 'billing'.")]
    public static async Task<SubscriptionChange> UpdateSubscription(
        SupportDesk desk,
        RequestContext<CallToolRequestParams> request,
        [Description("Subscription id, e.g. C0042-S1."), MaxLength(CustomerTools.MaxIdLength)] string subscription_id,
        [Description("Why (recorded in the audit log, at most 500 characters)."), MaxLength(MaxReasonLength)] string reason,
        [Description("New plan: basic, standard, premium or unlimited (sets the plan's fee and allowance)."), MaxLength(CustomerTools.MaxIdLength)] string? plan = null,
        [Description("New status: active, suspended or cancelled."), MaxLength(CustomerTools.MaxIdLength)] string? status = null,
        [Description("Renew automatically.")] bool? auto_renew = null,
        [Description("A negotiated monthly fee in USD (0 to 10,000), applied after any plan change.")] decimal? monthly_fee = null,
        CancellationToken cancellationToken = default)
    {
        var why = SupportDesk.Text(reason, "reason", MaxReasonLength);
        if (monthly_fee is < 0 or > MaxMonthlyFee)
        {
            throw new McpException($"'monthly_fee' must be between 0 and {MaxMonthlyFee:0} USD; got {monthly_fee}.");
        }
        var newPlan = plan is null ? null : SupportDesk.OneOf(plan, "plan", [.. SupportPlans.Names]);
        var newStatus = status is null ? null : SupportDesk.OneOf(status, "status", "active", "suspended", "cancelled");
        if (newPlan is null && newStatus is null && auto_renew is null && monthly_fee is null)
        {
            throw new McpException("Nothing to change: give at least one of plan, status, auto_renew or monthly_fee.");
        }

        var (_, before) = await desk.RequireSubscriptionAsync(subscription_id, cancellationToken);
        var after = before;
        if (newPlan is not null)
        {
            var (fee, cap) = SupportPlans.Price(newPlan, before.Product);
            after = after with { Plan = newPlan, MonthlyFee = fee, DataCapGb = cap };
        }
        after = after with
        {
            Status = newStatus ?? after.Status,
            AutoRenew = auto_renew ?? after.AutoRenew,
            MonthlyFee = monthly_fee is { } negotiated ? Math.Round(negotiated, 2) : after.MonthlyFee,
        };
        var changes = Describe(before, after);
        if (changes.Count == 0)
        {
            return new SubscriptionChange(before, after, [], null);
        }
        var audit = desk.Audit(before.CustomerId, "update_subscription", request.User, $"{before.Id}: {string.Join("; ", changes)}. Reason: {why}");
        await desk.Repository.UpdateSubscriptionAsync(after, audit, cancellationToken);
        return new SubscriptionChange(before, after, changes, audit);
    }

    [McpServerTool(Name = "unlock_account", Title = "Unlock account", Destructive = false, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Authorize(Roles = SecurityRole)]
    [Description("Unlocks a locked customer account, logs the event in the customer's security log and records who did it and why. Requires the app role 'security'.")]
    public static async Task<AccountUnlock> UnlockAccount(
        SupportDesk desk,
        RequestContext<CallToolRequestParams> request,
        [Description("Customer id, e.g. C0042."), MaxLength(CustomerTools.MaxIdLength)] string customer_id,
        [Description("Why, e.g. how the customer's identity was verified (recorded in the audit log, at most 500 characters)."), MaxLength(MaxReasonLength)] string reason,
        CancellationToken cancellationToken = default)
    {
        var why = SupportDesk.Text(reason, "reason", MaxReasonLength);
        var customer = await desk.RequireCustomerAsync(customer_id, cancellationToken);
        if (!customer.AccountLocked)
        {
            throw new McpException($"The account of {customer.Id} is not locked; nothing changed.");
        }
        var actor = SupportDesk.Actor(request.User);
        var logEntry = new SecurityLogEntry("", customer.Id, desk.Now, "account-unlocked", "support-desk", $"Unlocked by {actor}.");
        var audit = desk.Audit(customer.Id, "unlock_account", request.User, $"Account unlocked. Reason: {why}");
        await desk.Repository.UnlockAccountAsync(customer.Id, logEntry, audit, cancellationToken);
        return new AccountUnlock(customer.Id, true, audit);
    }

    private static List<string> Describe(Subscription before, Subscription after)
    {
        var changes = new List<string>();
        void Compare<T>(string name, T old, T now)
        {
            if (!EqualityComparer<T>.Default.Equals(old, now))
            {
                changes.Add($"{name} {old} -> {now}");
            }
        }
        Compare("plan", before.Plan, after.Plan);
        Compare("status", before.Status, after.Status);
        Compare("auto_renew", before.AutoRenew, after.AutoRenew);
        Compare("monthly_fee", before.MonthlyFee, after.MonthlyFee);
        Compare("data_cap_gb", before.DataCapGb, after.DataCapGb);
        return changes;
    }
}

/// <summary>The outcome of update_subscription.</summary>
public sealed record SubscriptionChange(
    [property: Description("The subscription before.")] Subscription Before,
    [property: Description("The subscription after.")] Subscription After,
    [property: Description("What changed; empty when the values asked for were already in place.")] IReadOnlyList<string> Changes,
    [property: Description("The audit entry written; absent when nothing changed.")] AuditEntry? Audit);

/// <summary>The outcome of unlock_account.</summary>
public sealed record AccountUnlock(
    [property: Description("The customer's id.")] string CustomerId,
    [property: Description("True: the account is now unlocked.")] bool Unlocked,
    [property: Description("The audit entry written.")] AuditEntry Audit);

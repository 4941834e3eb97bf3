using System.ComponentModel;
using Prynai.McpServer.Support.Data;

namespace Prynai.McpServer.Support;

/// <summary>Which promotions a customer qualifies for, and why not for the others.</summary>
public static class PromotionRules
{
    public static PromotionEligibility Evaluate(Customer customer, IReadOnlyList<Subscription> subscriptions, IReadOnlyList<Invoice> invoices,
        IReadOnlyList<Promotion> promotions, DateOnly today)
    {
        var tenureMonths = (today.Year - customer.JoinedOn.Year) * 12 + today.Month - customer.JoinedOn.Month - (today.Day < customer.JoinedOn.Day ? 1 : 0);
        var active = subscriptions.Where(s => s.Status == "active").ToList();
        var overdue = invoices.Any(i => i.Status == "overdue");
        var eligible = new List<PromotionOffer>();
        var notEligible = new List<PromotionRefusal>();
        foreach (var promotion in promotions)
        {
            var reasons = new List<string>();
            if (promotion.ValidUntil < today)
            {
                reasons.Add($"ended on {promotion.ValidUntil:yyyy-MM-dd}");
            }
            if (tenureMonths < promotion.MinTenureMonths)
            {
                reasons.Add($"needs {promotion.MinTenureMonths} months as a customer, has {tenureMonths}");
            }
            if (promotion.LoyaltyLevels.Count > 0 && !promotion.LoyaltyLevels.Contains(customer.LoyaltyLevel))
            {
                reasons.Add($"needs loyalty level {string.Join(" or ", promotion.LoyaltyLevels)}, has {customer.LoyaltyLevel}");
            }
            var qualifying = promotion.Products.Count == 0 ? active : active.Where(s => promotion.Products.Contains(s.Product) || s.Product == "bundle").ToList();
            if (qualifying.Count == 0)
            {
                reasons.Add(promotion.Products.Count == 0 ? "needs an active subscription" : $"needs an active {string.Join(" or ", promotion.Products)} subscription");
            }
            if (promotion.RequiresGoodStanding && overdue)
            {
                reasons.Add("needs no overdue invoices");
            }
            if (reasons.Count == 0)
            {
                var saving = Math.Round(qualifying.Sum(s => s.MonthlyFee) * promotion.DiscountPercent / 100m, 2);
                eligible.Add(new PromotionOffer(promotion, saving));
            }
            else
            {
                notEligible.Add(new PromotionRefusal(promotion.Id, promotion.Name, reasons));
            }
        }
        return new PromotionEligibility(customer.Id, tenureMonths, eligible, notEligible);
    }
}

/// <summary>The outcome of get_eligible_promotions.</summary>
public sealed record PromotionEligibility(
    [property: Description("The customer's id.")] string CustomerId,
    [property: Description("Whole months as a customer.")] int TenureMonths,
    [property: Description("Promotions the customer qualifies for.")] IReadOnlyList<PromotionOffer> Eligible,
    [property: Description("The others, each with the rules the customer does not meet.")] IReadOnlyList<PromotionRefusal> NotEligible);

public sealed record PromotionOffer(
    [property: Description("The promotion.")] Promotion Promotion,
    [property: Description("Estimated saving per month in USD on the qualifying subscriptions.")] decimal EstimatedMonthlySaving);

public sealed record PromotionRefusal(
    [property: Description("Promotion id.")] string PromotionId,
    [property: Description("Promotion name.")] string Name,
    [property: Description("Why the customer does not qualify.")] IReadOnlyList<string> Reasons);

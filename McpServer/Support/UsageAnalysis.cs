using System.ComponentModel;
using Prynai.McpServer.Support.Data;

namespace Prynai.McpServer.Support;

/// <summary>Summarizes daily usage per subscription and flags spikes (a day above three times the median day).</summary>
public static class UsageAnalysis
{
    public const decimal SpikeFactor = 3m;

    public static DataUsageReport Summarize(string customerId, DateOnly from, DateOnly to, IReadOnlyList<Subscription> subscriptions,
        IReadOnlyList<UsageRecord> usage, bool includeDays = true)
    {
        var perSubscription = subscriptions.Select(subscription =>
        {
            var days = usage.Where(u => u.SubscriptionId == subscription.Id).OrderBy(u => u.Day).ToList();
            var total = days.Sum(d => d.DataGb);
            var median = Median(days.Select(d => d.DataGb));
            var peak = days.OrderByDescending(d => d.DataGb).ThenBy(d => d.Day).FirstOrDefault();
            var spikes = median > 0 ? days.Where(d => d.DataGb > median * SpikeFactor).Select(d => d.Day).ToList() : [];
            return new SubscriptionUsage(subscription.Id, subscription.Product, subscription.DataCapGb, days.Count, total,
                days.Count == 0 ? 0 : Math.Round(total / days.Count, 2), peak?.Day, peak?.DataGb ?? 0, spikes);
        }).ToList();
        return new DataUsageReport(customerId, from, to, perSubscription.Sum(s => s.TotalGb), perSubscription,
            includeDays ? usage.OrderBy(u => u.Day).ThenBy(u => u.SubscriptionId).ToList() : []);
    }

    private static decimal Median(IEnumerable<decimal> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}

/// <summary>The outcome of get_data_usage.</summary>
public sealed record DataUsageReport(
    [property: Description("The customer's id.")] string CustomerId,
    [property: Description("First day of the range.")] DateOnly From,
    [property: Description("Last day of the range.")] DateOnly To,
    [property: Description("Data used by all subscriptions in the range, in GB.")] decimal TotalGb,
    [property: Description("Per subscription: totals, peak day and spike days.")] IReadOnlyList<SubscriptionUsage> Subscriptions,
    [property: Description("The daily records, oldest first.")] IReadOnlyList<UsageRecord> Days);

public sealed record SubscriptionUsage(
    [property: Description("Subscription id.")] string SubscriptionId,
    [property: Description("Product.")] string Product,
    [property: Description("Monthly allowance in GB (0 = unlimited).")] int DataCapGb,
    [property: Description("Days with a record in the range.")] int DaysWithData,
    [property: Description("Total in GB.")] decimal TotalGb,
    [property: Description("Average per day with data, in GB.")] decimal AverageDailyGb,
    [property: Description("The day with the most usage; absent without data.")] DateOnly? PeakDay,
    [property: Description("Usage on the peak day, in GB.")] decimal PeakGb,
    [property: Description("Days above three times the median day.")] IReadOnlyList<DateOnly> SpikeDays);

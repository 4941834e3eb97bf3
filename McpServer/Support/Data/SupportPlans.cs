namespace Prynai.McpServer.Support.Data;

/// <summary>The price list: each plan's monthly fee and data allowance; a bundle costs a fixed amount more.</summary>
public static class SupportPlans
{
    public const decimal BundleSurcharge = 35m;

    private static readonly Dictionary<string, (decimal Fee, int DataCapGb)> Plans = new()
    {
        ["basic"] = (25m, 20), ["standard"] = (40m, 60), ["premium"] = (60m, 150), ["unlimited"] = (80m, 0),
    };

    public static IReadOnlyCollection<string> Names => Plans.Keys;

    /// <summary>The monthly fee and allowance (0 = unlimited) of <paramref name="plan"/> for <paramref name="product"/>.</summary>
    public static (decimal MonthlyFee, int DataCapGb) Price(string plan, string product)
    {
        var (fee, cap) = Plans[plan];
        return (fee + (product == "bundle" ? BundleSurcharge : 0m), cap);
    }
}

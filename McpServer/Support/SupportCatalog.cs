using Prynai.McpServer.Support.Data;
namespace Prynai.McpServer.Support;

/// <summary>The fixed reference data the seeder writes: promotions, incidents and knowledge-base articles.</summary>
internal static class SupportCatalog
{
    public static IReadOnlyList<Promotion> Promotions { get; } =
    [
        new("PROMO-LOYAL10", "Loyalty thank-you", "10% off the monthly fee for 12 months.", 10, 24, [], [], true, new DateOnly(2027, 12, 31)),
        new("PROMO-GOLD15", "Gold and platinum upgrade", "15% off when moving to a premium or unlimited plan.", 15, 12, ["gold", "platinum"], [], true, new DateOnly(2027, 12, 31)),
        new("PROMO-BUNDLE20", "Bundle and save", "20% off the first year of a mobile + home-internet bundle.", 20, 6, [], ["mobile", "home-internet"], true, new DateOnly(2027, 6, 30)),
        new("PROMO-TV5", "TV sports pass", "Three months of the sports pass free with any TV plan.", 5, 0, [], ["tv", "bundle"], false, new DateOnly(2027, 3, 31)),
        new("PROMO-WELCOME", "Welcome back", "A free month for customers who cleared an overdue balance.", 100, 3, [], [], false, new DateOnly(2026, 1, 31)),
    ];

    public static IReadOnlyList<Incident> Incidents { get; } =
    [
        new("INC-2026-041", "home-internet", "east", "Fibre cut near the east exchange: slow or no connection for some households.", "major",
            new DateTimeOffset(2026, 10, 29, 7, 30, 0, TimeSpan.Zero), null),
        new("INC-2026-037", "mobile", "north", "Mobile data outage after a core network upgrade.", "critical",
            new DateTimeOffset(2026, 9, 14, 2, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 9, 14, 6, 45, 0, TimeSpan.Zero)),
        new("INC-2026-033", "tv", "west", "Channel guide not loading on older set-top boxes.", "minor",
            new DateTimeOffset(2026, 8, 2, 18, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 8, 4, 9, 0, 0, TimeSpan.Zero)),
        new("INC-2026-029", "home-internet", "south", "Intermittent packet loss during evening peak hours.", "minor",
            new DateTimeOffset(2026, 7, 20, 17, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 7, 22, 12, 0, 0, TimeSpan.Zero)),
    ];

    public static IReadOnlyList<KnowledgeArticle> Articles { get; } =
    [
        Kb(1, "Resetting your router", "technical", "Unplug the router for 30 seconds, plug it back in and wait until the internet light is steady green. If the light stays red, check the fibre cable and look for a service incident in your region."),
        Kb(2, "Slow home internet", "technical", "Slow speeds are often caused by Wi-Fi interference. Move the router to a central spot, use the 5 GHz band, restart the router, and run a speed test on a cable. Regional incidents also slow connections."),
        Kb(3, "Understanding your invoice", "billing", "Each monthly invoice lists the plan fee, add-ons, one-off charges and taxes. The due date is 14 days after the issue date. Payments take up to two working days to appear."),
        Kb(4, "Paying an overdue invoice", "billing", "An invoice becomes overdue the day after its due date. Pay by card or bank transfer in the app; partial payments reduce the balance. Service may be suspended after 60 days overdue."),
        Kb(5, "Setting up direct debit", "billing", "Direct debit pays each invoice automatically on its due date. Add your bank account in the billing settings; the first collection happens on the next invoice."),
        Kb(6, "Unlocking a locked account", "account", "Accounts lock after five failed sign-in attempts. The security team can unlock the account after verifying the customer's identity; the customer should then reset the password and enrol in multi-factor authentication."),
        Kb(7, "Resetting your password", "account", "Use 'Forgot password' on the sign-in page. A reset link is sent to the e-mail address on file and expires after one hour. Choose a password of at least 12 characters."),
        Kb(8, "Multi-factor authentication", "account", "Multi-factor authentication (MFA) protects your account with a code from an authenticator app or text message. Enrol in the security settings; it blocks most account takeover attempts."),
        Kb(9, "Suspicious sign-in activity", "account", "Sign-ins from unfamiliar locations or many failed attempts may mean someone is guessing your password. Change the password, enable MFA, and contact support to review the security log."),
        Kb(10, "Data caps and usage alerts", "product", "Mobile and home-internet plans with a data cap send an alert at 80% and 100% of the monthly allowance. Extra usage is billed per GB; unlimited plans have no cap."),
        Kb(11, "Unexpected high data usage", "product", "A sudden usage spike is usually caused by video streaming in high definition, cloud backups or automatic app updates. Check per-day usage, set streaming to standard quality, and consider an unlimited plan."),
        Kb(12, "Changing your plan", "product", "You can move to another plan at any time. Upgrades apply immediately and are charged pro rata; downgrades apply from the next billing period."),
        Kb(13, "Promotions and discounts", "product", "Promotions depend on how long you have been a customer, your loyalty level, your products and good payment standing. A discount applies to the monthly fee from the next invoice."),
        Kb(14, "Loyalty levels", "product", "Loyalty levels are standard, silver, gold and platinum. They rise with tenure and products held, and unlock exclusive promotions and priority support."),
        Kb(15, "Bundling mobile and home internet", "product", "Combining a mobile plan with home internet in a bundle lowers the combined monthly fee and qualifies for the bundle promotion."),
        Kb(16, "TV set-top box troubleshooting", "technical", "If the channel guide does not load, restart the set-top box, check the HDMI cable and make sure the box software is up to date. Older boxes can be replaced free of charge."),
        Kb(17, "Mobile data not working", "technical", "Check that mobile data is on, restart the phone, and confirm the APN settings. Roaming must be enabled abroad. A network outage in your region can also stop mobile data."),
        Kb(18, "Moving home", "account", "Tell us your new address four weeks before moving. We check home-internet availability at the new address and schedule the installation for your moving day."),
        Kb(19, "Cancelling a subscription", "billing", "Subscriptions can be cancelled at the end of the term without a fee. Early cancellation may carry a fee for the remaining months of the term."),
        Kb(20, "Service incidents and credits", "technical", "When a regional service incident interrupts service for more than 24 hours, affected customers receive a credit on their next invoice automatically."),
        Kb(21, "Wi-Fi extenders and mesh", "technical", "Large homes benefit from mesh Wi-Fi. Place extenders halfway between the router and the dead spot; avoid microwaves and thick walls."),
        Kb(22, "Opening a support ticket", "account", "Describe the problem, when it started and what you already tried. Urgent tickets for complete outages are answered within four hours."),
    ];

    private static KnowledgeArticle Kb(int number, string title, string category, string body) =>
        new($"KB-{number:D4}", title, category, body);
}

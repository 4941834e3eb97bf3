using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Prynai.McpServer.Support;

/// <summary>The Contoso support desk (section <c>Support</c>; the seed's SEED_* variables map onto it).</summary>
public sealed class SupportOptions
{
    public const string SectionName = "Support";

    /// <summary>Serve the support tools and resources at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Seed the store when it holds no data (SEED_ON_STARTUP).</summary>
    public bool SeedOnStartup { get; set; } = true;

    /// <summary>Replace whatever the store holds with freshly seeded data at startup (FORCE_SEED).</summary>
    public bool ForceSeed { get; set; }

    /// <summary>Generated customers, besides the named scenario customers (SEED_CUSTOMER_COUNT).</summary>
    [Range(0, 9000)]
    public int CustomerCount { get; set; } = 250;

    /// <summary>
    /// The data generator's random seed: same seed and count, same data. Not a seeding switch (those are
    /// <see cref="SeedOnStartup"/> and <see cref="ForceSeed"/>); it was <c>Support:Seed</c>, which is now refused.
    /// </summary>
    public int GeneratorSeed { get; set; } = 20261031;

    /// <summary>The SQLite file used when no Cosmos DB connection string is configured. Relative to the content root.</summary>
    [Required]
    public string SqlitePath { get; set; } = "data/contoso.db";

    /// <summary>The Cosmos DB database (COSMOS_DATABASE_NAME); the account is <c>ConnectionStrings:cosmos</c>.</summary>
    [Required]
    public string CosmosDatabaseName { get; set; } = "contoso";

    /// <summary>Pause between trouble_shoot_device's ten steps (about 45 seconds in all by default).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan TroubleshootStepDelay { get; set; } = TimeSpan.FromSeconds(4.5);

    /// <summary>
    /// The day the support desk treats as today (promotion validity, tenure, "recent" windows). Unset: the real date.
    /// The seeded history ends on 2026-10-31; demos and tests pin this to keep answers stable as time passes.
    /// </summary>
    public DateOnly? Today { get; set; }

    /// <summary>Most tokens the client's model may produce for an expert tool's answer.</summary>
    [Range(16, 8192)]
    public int ExpertMaxTokens { get; set; } = 600;
}

/// <summary>Settings of <see cref="SupportOptions"/> that were renamed: the old name stops the server, naming the new one.</summary>
internal sealed class SupportOptionsValidator(IConfiguration configuration) : IValidateOptions<SupportOptions>
{
    /// <summary>The generator's seed before it was renamed (it read like a switch beside SeedOnStartup and ForceSeed).</summary>
    public const string RenamedSeed = $"{SupportOptions.SectionName}:Seed";

    public ValidateOptionsResult Validate(string? name, SupportOptions options) =>
        configuration.GetSection(RenamedSeed).Exists()
            ? ValidateOptionsResult.Fail($"{RenamedSeed} was renamed {SupportOptions.SectionName}:{nameof(SupportOptions.GeneratorSeed)} " +
                                         "(the data generator's random seed): set that instead.")
            : ValidateOptionsResult.Success;
}

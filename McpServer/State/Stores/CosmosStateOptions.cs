using System.ComponentModel.DataAnnotations;

namespace Prynai.McpServer.State.Stores;

/// <summary>The Cosmos DB store (section <c>State:Cosmos</c>), used when <c>ConnectionStrings:cosmos</c> is set.</summary>
public sealed class CosmosStateOptions
{
    public const string SectionName = "State:Cosmos";

    [Required]
    public string DatabaseName { get; set; } = "prynai";

    /// <summary>Partition key <c>/id</c>: every read and write is a point operation.</summary>
    [Required]
    public string ContainerName { get; set; } = "state";

    /// <summary>Create the database and container when missing (the seed's SEED_ON_STARTUP); otherwise a missing one stops startup.</summary>
    public bool CreateIfMissing { get; set; } = true;

    /// <summary>How often each replica checks for changes published by others (Cosmos DB has no pub/sub).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan ChangePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>"Direct" (TCP, fastest) or "Gateway" (HTTPS only, firewall friendly).</summary>
    [RegularExpression("^(Direct|Gateway)$")]
    public string ConnectionMode { get; set; } = "Direct";

    /// <summary>Talk only to the configured endpoint, never to the regional endpoints the account advertises.</summary>
    public bool LimitToEndpoint { get; set; }

    /// <summary>
    /// For the open-source Cosmos protocol server (@vercel/cosmosdb-server) used in tests, which answers a point read
    /// of a missing item with 500 instead of 404 unless the request carries a query header. Never needed on Azure.
    /// </summary>
    public bool EmulatorCompatibility { get; set; }
}

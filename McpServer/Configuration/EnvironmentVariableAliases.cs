using Microsoft.Extensions.Configuration.Memory;

namespace Prynai.McpServer.Configuration;

/// <summary>
/// The original system's environment variables, mapped onto the configuration sections this server reads.
/// Added beneath the standard environment-variable source, so <c>Section__Key</c> settings win over them.
/// </summary>
public static class EnvironmentVariableAliases
{
    /// <summary>Original name → configuration key, for values copied as they are.</summary>
    internal static readonly IReadOnlyDictionary<string, string> Direct = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["PRYNAI_ENV"] = "Prynai:Deployment",
        ["PRYNAI_BUILD"] = "Prynai:Build",
        ["AUTH_REQUIRED"] = "Auth:Required",
        ["ENTRA_TENANT_ID"] = "Auth:TenantId",
        ["ENTRA_AUTHORITY"] = "Auth:Authority",
        ["SEED_ON_STARTUP"] = "Support:SeedOnStartup",
        ["FORCE_SEED"] = "Support:ForceSeed",
        ["SEED_CUSTOMER_COUNT"] = "Support:CustomerCount",
        ["COSMOS_DATABASE_NAME"] = "Support:CosmosDatabaseName",
    };

    /// <summary>Original name → configuration list, for comma- or space-separated values.</summary>
    internal static readonly IReadOnlyDictionary<string, string> Lists = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ENTRA_AUDIENCES"] = "Auth:Audiences",
        ["ENTRA_REQUIRED_SCOPES"] = "Auth:RequiredScopes",
        ["ENTRA_REQUIRED_APP_ROLES"] = "Auth:RequiredAppRoles",
        ["ENTRA_ALLOWED_TENANTS"] = "Auth:AllowedTenants",
    };

    public static IConfigurationBuilder AddEnvironmentVariableAliases(this IConfigurationManager configuration, Func<string, string?>? read = null)
    {
        read ??= Environment.GetEnvironmentVariable;
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (variable, key) in Direct)
        {
            if (read(variable) is { Length: > 0 } value)
            {
                values[key] = value;
            }
        }

        // The support desk's original switch: USE_COSMOSDB=true with COSMOSDB_ENDPOINT (managed identity).
        if (bool.TryParse(read("USE_COSMOSDB"), out var useCosmos) && useCosmos && read("COSMOSDB_ENDPOINT") is { Length: > 0 } endpoint)
        {
            values["ConnectionStrings:cosmos"] = endpoint;
        }

        foreach (var (variable, key) in Lists)
        {
            var items = read(variable)?.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
            for (var i = 0; i < items.Length; i++)
            {
                values[$"{key}:{i}"] = items[i];
            }
        }

        var source = new MemoryConfigurationSource { InitialData = values };
        var sources = configuration.Sources;
        var environmentIndex = sources.ToList().FindLastIndex(s =>
            s is Microsoft.Extensions.Configuration.EnvironmentVariables.EnvironmentVariablesConfigurationSource { Prefix: null or "" });
        if (environmentIndex < 0)
        {
            sources.Add(source);
        }
        else
        {
            sources.Insert(environmentIndex, source);
        }
        return configuration;
    }
}

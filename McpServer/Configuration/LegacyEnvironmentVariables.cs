using Microsoft.Extensions.Configuration.Memory;

namespace Prynai.McpServer.Configuration;

/// <summary>
/// The original system's environment variables, mapped onto the configuration sections this server reads.
/// Added beneath the standard environment-variable source, so <c>Section__Key</c> settings win over them.
/// </summary>
public static class LegacyEnvironmentVariables
{
    /// <summary>Original name → configuration key, for values copied as they are.</summary>
    internal static readonly IReadOnlyDictionary<string, string> Direct = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["PRYNAI_ENV"] = "Prynai:Deployment",
        ["PRYNAI_BUILD"] = "Prynai:Build",
    };

    public static IConfigurationBuilder AddLegacyEnvironmentVariables(this IConfigurationManager configuration, Func<string, string?>? read = null)
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

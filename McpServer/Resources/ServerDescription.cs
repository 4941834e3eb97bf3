using System.Reflection;
using System.Text.Json.Serialization;
using Prynai.McpServer.State;
using Prynai.McpServer.Transport;

namespace Prynai.McpServer.Resources;

/// <summary>Where and what this server is (section <c>Prynai</c>; the original's PRYNAI_ENV and PRYNAI_BUILD map here).</summary>
public sealed class ServerInfoOptions
{
    public const string SectionName = "Prynai";

    /// <summary>Deployment name, e.g. "local", "container", "aca-prod".</summary>
    public string Deployment { get; set; } = "local";

    /// <summary>Build identifier (git sha or version); defaults to the assembly's informational version.</summary>
    public string? Build { get; set; }
}

/// <summary>Builds the prynai://server-info document from the running configuration. Never includes secrets.</summary>
public sealed class ServerDescription(IStateStore store, IEnumerable<IServerInfoContributor> contributors)
{
    public static readonly string Version =
        typeof(ServerDescription).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? "0.0.0";

    public ServerInfoDocument Describe(ServerInfoOptions options)
    {
        var document = new ServerInfoDocument
        {
            Name = "prynai-mcp",
            Version = Version,
            Deployment = options.Deployment,
            Build = options.Build ?? Version,
            Store = store.Kind,
            ProtocolVersions = ProtocolRevisions.All,
        };
        foreach (var contributor in contributors)
        {
            contributor.Contribute(document);
        }
        return document;
    }
}

/// <summary>Lets a capability (e.g. security) add its public settings to prynai://server-info.</summary>
public interface IServerInfoContributor
{
    void Contribute(ServerInfoDocument document);
}

public sealed class ServerInfoDocument
{
    public required string Name { get; init; }
    public required string Version { get; init; }
    public required string Deployment { get; init; }
    public required string Build { get; init; }
    public required string Store { get; init; }
    public required IReadOnlyList<string> ProtocolVersions { get; init; }

    /// <summary>The revision that answered (Revision:Name); null when the revisions capability is not composed (stdio).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Revision { get; set; }

    public AuthDescription Auth { get; set; } = new();
}

public sealed class AuthDescription
{
    public bool Required { get; set; }
    public IReadOnlyList<string> Issuers { get; set; } = [];
    public IReadOnlyList<string> Audiences { get; set; } = [];
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(ServerInfoDocument))]
internal sealed partial class ServerDescriptionJson : JsonSerializerContext;

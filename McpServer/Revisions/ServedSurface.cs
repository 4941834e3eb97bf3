using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Prynai.McpServer.Revisions;

/// <summary>
/// Fingerprints of what a revision serves — its tool, prompt and resource lists as tools/list, prompts/list and
/// resources/list (with templates) describe them — so a client moved to a revision whose lists differ is told.
/// </summary>
public sealed record SurfaceFingerprint(string Tools, string Prompts, string Resources)
{
    /// <summary>
    /// The list_changed notifications a client that was last shown <paramref name="seen"/> needs here; every list when
    /// what it saw is unknown (a session recorded before surfaces were).
    /// </summary>
    public IReadOnlyList<string> ChangedSince(SurfaceFingerprint? seen)
    {
        var changed = new List<string>(3);
        if (seen?.Tools != Tools)
        {
            changed.Add(NotificationMethods.ToolListChangedNotification);
        }
        if (seen?.Prompts != Prompts)
        {
            changed.Add(NotificationMethods.PromptListChangedNotification);
        }
        if (seen?.Resources != Resources)
        {
            changed.Add(NotificationMethods.ResourceListChangedNotification);
        }
        return changed;
    }

    /// <summary>One line, for the change feed: tools, prompts, resources.</summary>
    public string Serialize() => $"{Tools} {Prompts} {Resources}";

    public static SurfaceFingerprint? Deserialize(string? text) =>
        text?.Split(' ') is [var tools, var prompts, var resources] ? new SurfaceFingerprint(tools, prompts, resources) : null;
}

/// <summary>This replica's <see cref="SurfaceFingerprint"/>, computed once from the configured server options.</summary>
internal sealed class ServedSurface(ServerOptionsOnDemand options)
{
    private readonly Lazy<SurfaceFingerprint> _fingerprint = new(() => Compute(options.Value));

    public SurfaceFingerprint Fingerprint => _fingerprint.Value;

    private static SurfaceFingerprint Compute(McpServerOptions options) => new(
        Hash(options.ToolCollection?.OrderBy(t => t.ProtocolTool.Name, StringComparer.Ordinal).Select(t => (object)t.ProtocolTool), typeof(Tool)),
        Hash(options.PromptCollection?.OrderBy(p => p.ProtocolPrompt.Name, StringComparer.Ordinal).Select(p => (object)p.ProtocolPrompt), typeof(Prompt)),
        Hash(options.ResourceCollection?.OrderBy(r => r.ProtocolResourceTemplate.UriTemplate, StringComparer.Ordinal).Select(r => (object)r.ProtocolResourceTemplate),
            typeof(ResourceTemplate)));

    /// <summary>64 bits of SHA-256 over the list's JSON, in order: enough to tell two lists apart, short enough to store per session.</summary>
    private static string Hash(IEnumerable<object>? items, Type type)
    {
        var typeInfo = McpJsonUtilities.DefaultOptions.GetTypeInfo(type);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var item in items ?? [])
        {
            hash.AppendData(JsonSerializer.SerializeToUtf8Bytes(item, typeInfo));
            hash.AppendData("\n"u8);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset().AsSpan(0, 8));
    }
}

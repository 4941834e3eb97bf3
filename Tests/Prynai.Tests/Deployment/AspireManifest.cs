using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Deployment;

/// <summary>
/// The committed aspire-manifest.json (what azd deploys), read the way a deployment tool reads it: resources, and the
/// <c>{resource.property}</c> expressions in their values, which <see cref="Resolve"/> turns into concrete values.
/// </summary>
public sealed partial class AspireManifest
{
    private AspireManifest(JsonObject resources) => Resources = resources;

    public JsonObject Resources { get; }

    public static AspireManifest Load() =>
        new(JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "aspire-manifest.json")))!["resources"]!.AsObject());

    public JsonObject Resource(string name) =>
        Resources[name]?.AsObject() ?? throw new Xunit.Sdk.XunitException($"aspire-manifest.json has no resource '{name}'.");

    public string TypeOf(string name) => Resource(name)["type"]!.GetValue<string>();

    public IReadOnlyDictionary<string, string> Environment(string name) =>
        Resource(name)["env"]?.AsObject().ToDictionary(pair => pair.Key, pair => pair.Value!.GetValue<string>()) ?? [];

    public IReadOnlyList<string> Arguments(string name) =>
        Resource(name)["args"]?.AsArray().Select(node => node!.GetValue<string>()).ToList() ?? [];

    /// <summary>Every string value anywhere in the manifest, with where it is, for checking the expressions in them.</summary>
    public IEnumerable<(string Path, string Value)> AllStrings()
    {
        IEnumerable<(string, string)> Walk(JsonNode? node, string path) => node switch
        {
            JsonObject obj => obj.SelectMany(pair => Walk(pair.Value, $"{path}.{pair.Key}")),
            JsonArray array => array.SelectMany((item, index) => Walk(item, $"{path}[{index}]")),
            JsonValue value when value.TryGetValue<string>(out var text) => [(path, text)],
            _ => [],
        };
        return Walk(Resources, "resources");
    }

    /// <summary>The <c>{resource.path}</c> references in a value, e.g. <c>cache.connectionString</c>.</summary>
    public static IEnumerable<string> References(string value) => ExpressionPattern().Matches(value).Select(match => match.Groups[1].Value);

    /// <summary>
    /// Replaces each expression with the value a deployment would give it; an expression the caller did not supply
    /// fails the test, so a new variable in the manifest cannot slip by unchecked.
    /// </summary>
    public static string Resolve(string value, IReadOnlyDictionary<string, string> values) =>
        ExpressionPattern().Replace(value, match => values.TryGetValue(match.Groups[1].Value, out var resolved)
            ? resolved
            : throw new Xunit.Sdk.XunitException($"No value for the manifest expression {{{match.Groups[1].Value}}} in \"{value}\"."));

    public IReadOnlyDictionary<string, string> ResolvedEnvironment(string name, IReadOnlyDictionary<string, string> values) =>
        Environment(name).ToDictionary(pair => pair.Key, pair => ResolveWithConnectionStrings(pair.Value, values, depth: 0));

    /// <summary>
    /// <see cref="Resolve"/>, where a <c>{resource.connectionString}</c> the caller did not supply is built from the
    /// resource's own connection string expression (bindings, parameters), as a deployment tool builds it.
    /// </summary>
    private string ResolveWithConnectionStrings(string value, IReadOnlyDictionary<string, string> values, int depth)
    {
        const string suffix = ".connectionString";
        return depth > 8
            ? throw new Xunit.Sdk.XunitException($"Connection strings refer to each other in a cycle: \"{value}\".")
            : ExpressionPattern().Replace(value, match =>
            {
                var expression = match.Groups[1].Value;
                if (values.TryGetValue(expression, out var resolved))
                {
                    return resolved;
                }
                if (expression.EndsWith(suffix, StringComparison.Ordinal) &&
                    Resources[expression[..^suffix.Length]]?["connectionString"]?.GetValue<string>() is { } connectionString)
                {
                    return ResolveWithConnectionStrings(connectionString, values, depth + 1);
                }
                throw new Xunit.Sdk.XunitException($"No value for the manifest expression {{{expression}}} in \"{value}\".");
            });
    }

    /// <summary>A parameter's default value from the manifest (what azd uses when nobody sets it).</summary>
    public string? ParameterDefault(string name) =>
        Resource(name)["inputs"]?["value"]?["default"]?["value"]?.GetValue<string>();

    [GeneratedRegex(@"\{([A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]+)+)\}")]
    private static partial Regex ExpressionPattern();
}

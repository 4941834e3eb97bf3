using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Server;

namespace Prynai.McpServer.Tools;

/// <summary>
/// Tool input schemas in the form every client understands. For an optional parameter such as <c>string? symptom = null</c>
/// the SDK emits <c>"type": ["string", "null"], "default": null</c>: valid JSON Schema, but clients and model APIs that
/// read only a single <c>type</c> reject or misread it (the MCP Inspector warns about each one). An optional parameter
/// is already expressed by leaving it out of <c>required</c>, so the null alternative is dropped (type unions,
/// <c>anyOf</c>/<c>oneOf</c> with a null branch, a null default); the argument validator still treats an explicit null
/// for an optional parameter as "not given".
/// </summary>
internal static class PortableToolSchemas
{
    // Options are built again for pooled servers and restored sessions; the tools and their schemas are the same.
    private static readonly ConcurrentDictionary<string, JsonElement?> Rewritten = new(StringComparer.Ordinal);

    public static void Apply(McpServerOptions options)
    {
        foreach (var tool in options.ToolCollection ?? [])
        {
            var portable = Rewritten.GetOrAdd(tool.ProtocolTool.InputSchema.GetRawText(), static raw =>
                JsonNode.Parse(raw) is JsonObject root && Simplify(root) ? JsonElement.Parse(root.ToJsonString()) : null);
            if (portable is { } schema)
            {
                tool.ProtocolTool.InputSchema = schema;
            }
        }
    }

    /// <summary>Rewrites <paramref name="schema"/> and every schema nested in it; true when anything changed.</summary>
    internal static bool Simplify(JsonObject schema)
    {
        var changed = false;
        if (schema["type"] is JsonArray types && types.Any(IsNull))
        {
            var others = types.Where(type => !IsNull(type)).Select(type => type!.DeepClone()).ToArray();
            schema["type"] = others.Length == 1 ? others[0] : new JsonArray(others);
            changed = true;
        }
        foreach (var keyword in new[] { "anyOf", "oneOf" })
        {
            if (schema[keyword] is JsonArray branches && branches.Any(IsNullSchema))
            {
                var others = branches.Where(branch => !IsNullSchema(branch)).ToList();
                schema.Remove(keyword);
                if (others.Count == 1 && others[0] is JsonObject only)
                {
                    foreach (var (name, value) in only.ToList())
                    {
                        schema[name] ??= value?.DeepClone();
                    }
                }
                else
                {
                    schema[keyword] = new JsonArray([.. others.Select(branch => branch?.DeepClone())]);
                }
                changed = true;
            }
        }
        if (schema.TryGetPropertyValue("default", out var defaultValue) && defaultValue is null)
        {
            schema.Remove("default");
            changed = true;
        }
        foreach (var nested in Children(schema))
        {
            changed |= Simplify(nested);
        }
        return changed;
    }

    private static IEnumerable<JsonObject> Children(JsonObject schema)
    {
        foreach (var keyword in new[] { "properties", "$defs", "definitions" })
        {
            if (schema[keyword] is JsonObject map)
            {
                foreach (var (_, child) in map)
                {
                    if (child is JsonObject childSchema)
                    {
                        yield return childSchema;
                    }
                }
            }
        }
        foreach (var keyword in new[] { "items", "additionalProperties" })
        {
            if (schema[keyword] is JsonObject childSchema)
            {
                yield return childSchema;
            }
        }
        foreach (var keyword in new[] { "anyOf", "oneOf", "allOf" })
        {
            if (schema[keyword] is JsonArray branches)
            {
                foreach (var branch in branches.OfType<JsonObject>())
                {
                    yield return branch;
                }
            }
        }
    }

    private static bool IsNull(JsonNode? type) => type is JsonValue value && value.TryGetValue(out string? name) && name == "null";

    private static bool IsNullSchema(JsonNode? branch) => branch is JsonObject { Count: 1 } only && IsNull(only["type"]);
}

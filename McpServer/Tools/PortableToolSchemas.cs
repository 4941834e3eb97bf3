using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Server;

namespace Prynai.McpServer.Tools;

/// <summary>
/// Tool schemas in the form every client understands, and output schemas that the results always satisfy.
/// For an optional parameter such as <c>string? symptom = null</c> the SDK emits <c>"type": ["string", "null"],
/// "default": null</c>: valid JSON Schema, but clients and model APIs that read only a single <c>type</c> reject or
/// misread it (the MCP Inspector's <c>--strict</c> warns about each one). One rule for both directions: a value that
/// may be null is optional — left out of <c>required</c>, typed by its non-null type alone — and null is said by
/// leaving it out. Input: a nullable parameter is optional because the tool method gives it a default, and the
/// argument validator treats an explicit null for it as "not given". Output: the SDK serializes results without null
/// members (<c>JsonIgnoreCondition.WhenWritingNull</c>), so a nullable member of a result record is absent when null,
/// and its schema no longer lists it as required. Never force a null member onto the wire (<c>JsonIgnoreCondition.Never</c>).
/// </summary>
internal static class PortableToolSchemas
{
    // Options are built again for pooled servers and restored sessions; the tools and their schemas are the same.
    private static readonly ConcurrentDictionary<string, JsonElement?> RewrittenInputs = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, JsonElement?> RewrittenOutputs = new(StringComparer.Ordinal);

    public static void Apply(McpServerOptions options)
    {
        foreach (var tool in options.ToolCollection ?? [])
        {
            if (Portable(tool.ProtocolTool.InputSchema, output: false) is { } input)
            {
                tool.ProtocolTool.InputSchema = input;
            }
            if (tool.ProtocolTool.OutputSchema is { } output && Portable(output, output: true) is { } portableOutput)
            {
                tool.ProtocolTool.OutputSchema = portableOutput;
            }
        }
    }

    /// <summary>The rewritten schema, or null when it already follows the rule.</summary>
    private static JsonElement? Portable(JsonElement schema, bool output) =>
        (output ? RewrittenOutputs : RewrittenInputs).GetOrAdd(schema.GetRawText(), static (raw, output) =>
            JsonNode.Parse(raw) is JsonObject root && ((output && MakeNullableOptional(root)) | Simplify(root))
                ? JsonElement.Parse(root.ToJsonString())
                : null,
            output);

    /// <summary>Takes every property whose schema allows null out of its object's <c>required</c>, at every depth.</summary>
    internal static bool MakeNullableOptional(JsonObject schema)
    {
        var changed = false;
        if (schema["required"] is JsonArray required && schema["properties"] is JsonObject properties)
        {
            var nullable = required.Where(name => name is JsonValue value && value.TryGetValue(out string? property)
                && properties[property] is JsonObject propertySchema && AllowsNull(propertySchema)).ToList();
            foreach (var name in nullable)
            {
                required.Remove(name);
                changed = true;
            }
            if (required.Count == 0 && nullable.Count > 0)
            {
                schema.Remove("required");
            }
        }
        foreach (var nested in Children(schema))
        {
            changed |= MakeNullableOptional(nested);
        }
        return changed;
    }

    private static bool AllowsNull(JsonObject schema) =>
        IsNull(schema["type"]) ||
        (schema["type"] is JsonArray types && types.Any(IsNull)) ||
        new[] { "anyOf", "oneOf" }.Any(keyword => schema[keyword] is JsonArray branches && branches.Any(IsNullSchema));

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

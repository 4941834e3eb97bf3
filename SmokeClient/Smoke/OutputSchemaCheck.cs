using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Prynai.SmokeClient.Smoke;

/// <summary>
/// Checks every structured tool result against the output schema the server published for that tool, as validating
/// clients (the TypeScript and Python SDKs, the MCP Inspector) do: a result that breaks its own schema makes those
/// clients reject the whole call, so the smoke run treats it as a failure. JSON Schema 2020-12 (JsonSchema.Net).
/// </summary>
public sealed class OutputSchemaCheck
{
    private static readonly EvaluationOptions ListErrors = new() { OutputFormat = OutputFormat.List };

    private readonly Dictionary<string, JsonSchema> _schemas;
    private readonly List<string> _violations = [];
    private int _checked;

    private OutputSchemaCheck(Dictionary<string, JsonSchema> schemas) => _schemas = schemas;

    /// <summary>How many structured results were checked.</summary>
    public int Checked => _checked;

    /// <summary>Each result that broke its schema: the tool and what was wrong.</summary>
    public IReadOnlyList<string> Violations => _violations;

    /// <summary>The output schemas of the tools <paramref name="client"/> can see.</summary>
    public static async Task<OutputSchemaCheck> LoadAsync(McpClient client, CancellationToken cancellationToken)
    {
        var tools = await client.ListToolsAsync(cancellationToken: cancellationToken);
        return new OutputSchemaCheck(tools
            .Where(tool => tool.ProtocolTool.OutputSchema is not null)
            .ToDictionary(tool => tool.Name, tool => JsonSchema.FromText(tool.ProtocolTool.OutputSchema!.Value.GetRawText()), StringComparer.Ordinal));
    }

    /// <summary>Calls a tool and checks its structured result.</summary>
    public async Task<CallToolResult> CallAsync(McpClient client, string tool, IReadOnlyDictionary<string, object?> arguments,
        CancellationToken cancellationToken, IProgress<ProgressNotificationValue>? progress = null)
    {
        var result = await client.CallToolAsync(tool, arguments, progress, cancellationToken: cancellationToken);
        Verify(tool, result);
        return result;
    }

    /// <summary>Checks a result of <paramref name="tool"/> (an error result has no structured content to check).</summary>
    public void Verify(string tool, CallToolResult result)
    {
        if (result.IsError == true || !_schemas.TryGetValue(tool, out var schema))
        {
            return;
        }
        _checked++;
        if (Problems(schema, result.StructuredContent) is { Count: > 0 } problems)
        {
            _violations.Add($"{tool}: {string.Join("; ", problems)}");
        }
    }

    /// <summary>Checks a tool result met as JSON (a task's result, read with tasks/get).</summary>
    public void Verify(string tool, JsonNode? result)
    {
        if (result is null)
        {
            return;
        }
        Verify(tool, new CallToolResult
        {
            IsError = result["isError"]?.GetValue<bool>(),
            StructuredContent = result["structuredContent"] is { } structured ? JsonSerializer.SerializeToElement(structured) : null,
        });
    }

    /// <summary>What makes <paramref name="structured"/> invalid against <paramref name="schema"/>; empty when it is valid.</summary>
    public static IReadOnlyList<string> Problems(JsonSchema schema, JsonElement? structured)
    {
        if (structured is not { } content)
        {
            return ["the tool has an outputSchema but the result has no structuredContent"];
        }
        var evaluation = schema.Evaluate(content, ListErrors);
        return evaluation.IsValid
            ? []
            : [.. (evaluation.Details ?? []).Where(detail => detail.Errors is { Count: > 0 })
                .SelectMany(detail => detail.Errors!.Select(error => $"{(detail.InstanceLocation.ToString() is { Length: > 0 } at ? at : "/")}: {error.Value}"))
                .DefaultIfEmpty("does not match the schema")];
    }

    /// <summary>One check for the whole run: every structured result matched its schema.</summary>
    public void Report(SmokeReport report)
    {
        report.Line("SCHEMAS", $"{_checked} structured result(s) checked against their tools' output schemas, {_violations.Count} broke them");
        report.Check(_violations.Count == 0, "output schemas", string.Join(" | ", _violations));
    }
}

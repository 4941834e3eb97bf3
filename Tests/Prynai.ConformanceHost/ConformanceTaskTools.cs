using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Prynai.McpServer.Tasks;
using static Prynai.ConformanceHost.InputResponses;

namespace Prynai.ConformanceHost;

/// <summary>
/// The fixtures of the suite's tasks-* scenarios (io.modelcontextprotocol/tasks): a synchronous tool, task tools that
/// finish, fail with a tool error or a protocol error, wait for input inside the task, and one that settles its input
/// on the call before it becomes a task.
/// </summary>
[McpServerToolType]
public sealed class ConformanceTaskTools
{
    [McpServerTool(Name = "greet"), Description("Returns a greeting at once (never a task).")]
    public static string Greet([Description("Who to greet.")] string name) => $"Hello, {name}!";

    [McpServerTool(Name = "slow_compute"), Description("Sleeps for the given number of seconds, then answers; a task for clients with the extension.")]
    [RunsAsTask]
    public static async Task<string> SlowCompute(
        [Description("How long to work, in seconds (0 answers at once)."), Range(0, 3600)] int seconds,
        [Description("A label echoed in the result.")] string? label = null,
        CancellationToken cancellationToken = default)
    {
        await Task.Delay(TimeSpan.FromSeconds(seconds), cancellationToken);
        return $"Computed {label ?? "result"} in {seconds} s";
    }

    [McpServerTool(Name = "failing_job"), Description("Runs only as a task, and ends after about a second with a tool error.")]
    [RunsAsTask(TaskSupport.Required)]
    public static async Task<string> FailingJob(CancellationToken cancellationToken)
    {
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        throw new McpException("The job failed: this fixture always ends with a tool error.");
    }

    [McpServerTool(Name = "protocol_error_job"), Description("A task whose work ends with a JSON-RPC error.")]
    [RunsAsTask]
    public static string ProtocolErrorJob() =>
        throw new McpProtocolException("The job hit an internal error: this fixture always ends with a protocol error.", McpErrorCode.InternalError);

    [McpServerTool(Name = "confirm_delete"), Description("A task that asks for a confirmation (input_required) before it deletes the file.")]
    [RunsAsTask]
    public static string ConfirmDelete(RequestContext<CallToolRequestParams> request, [Description("The file to delete.")] string filename) =>
        Answer(request.Params, "confirm") is null
            ? throw Ask(new() { ["confirm"] = Elicit($"Delete {filename}?", "confirm", "boolean") })
            : Accepted(request.Params, "confirm")?["confirm"] is JsonValue confirmed && confirmed.TryGetValue(out bool yes) && yes
                ? $"Deleted {filename}"
                : $"Kept {filename}";

    [McpServerTool(Name = "multi_input"), Description("A task that asks for two confirmations at once and finishes when both are answered.")]
    [RunsAsTask]
    public static string MultiInput(RequestContext<CallToolRequestParams> request) =>
        Answer(request.Params, "first") is not null && Answer(request.Params, "second") is not null
            ? "Both inputs received."
            : throw Ask(new()
            {
                ["first"] = Elicit("Confirm the first operation.", "confirm", "boolean"),
                ["second"] = Elicit("Confirm the second operation.", "confirm", "boolean"),
            });

    [McpServerTool(Name = "test_tool_with_task"), Description("Asks for a name on the call itself, then greets through a task (task required).")]
    [RunsAsTask(TaskSupport.Required, AsksBeforeTask = true)]
    public static string ToolWithTask(RequestContext<CallToolRequestParams> request) =>
        Accepted(request.Params, "user_name")?["name"] is JsonValue name
            ? $"Hello, {name}!"
            : throw Ask(new() { ["user_name"] = Elicit("What is your name?", "name") });

    /// <summary>json_schema_2020_12_tool: an input schema with 2020-12 keywords ($defs, $anchor, allOf/anyOf, if/then/else) kept verbatim.</summary>
    public static McpServerTool JsonSchema202012Tool()
    {
        var tool = McpServerTool.Create(() => "Schema accepted.", new McpServerToolCreateOptions
        {
            Name = "json_schema_2020_12_tool",
            Description = "Tool with JSON Schema 2020-12 features",
        });
        tool.ProtocolTool.InputSchema = System.Text.Json.JsonDocument.Parse("""
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "type": "object",
              "$defs": {
                "address": {
                  "$anchor": "addressDef",
                  "type": "object",
                  "properties": { "street": { "type": "string" }, "city": { "type": "string" } }
                }
              },
              "properties": {
                "name": { "type": "string" },
                "address": { "$ref": "#/$defs/address" },
                "contactMethod": { "type": "string", "enum": ["phone", "email"] },
                "phone": { "type": "string" },
                "email": { "type": "string" }
              },
              "allOf": [{ "anyOf": [{ "required": ["phone"] }, { "required": ["email"] }] }],
              "if": { "properties": { "contactMethod": { "const": "phone" } }, "required": ["contactMethod"] },
              "then": { "required": ["phone"] },
              "else": { "required": ["email"] },
              "additionalProperties": false
            }
            """).RootElement.Clone();
        return tool;
    }
}

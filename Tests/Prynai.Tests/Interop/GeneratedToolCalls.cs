using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Client;

namespace Prynai.Tests.Interop;

/// <summary>One tool call: the tool and its arguments.</summary>
public sealed record ToolCall(string Tool, JsonObject Arguments)
{
    public override string ToString() => $"{Tool} {Arguments.ToJsonString()}";
}

/// <summary>
/// Valid calls of every tool a client can see, generated from each tool's input schema: every parameter gets a value
/// from <see cref="ValuesOf"/> (every customer, subscription and invoice of the support desk for the id parameters),
/// once with the required parameters only and once with every optional one too. The values include the shapes that
/// leave parts of a result empty or absent: customers without a scenario, subscriptions with an ongoing incident,
/// a date range without usage, a search that finds nothing, a diagnosis without a symptom. A tool with a parameter
/// this class has no value for fails the generation, so a new tool cannot be left out.
/// </summary>
public static class GeneratedToolCalls
{
    private const int MaxInvoices = 12;

    public static async Task<IReadOnlyList<ToolCall>> ForAsync(McpClient client, CancellationToken cancellationToken)
    {
        var tools = await client.ListToolsAsync(cancellationToken: cancellationToken);
        var desk = await SupportDeskIds.DiscoverAsync(client, cancellationToken);
        var calls = new List<ToolCall>();
        foreach (var tool in tools.OrderBy(tool => tool.Name, StringComparer.Ordinal))
        {
            var schema = JsonNode.Parse(tool.ProtocolTool.InputSchema.GetRawText())!.AsObject();
            var properties = schema["properties"]?.AsObject() ?? [];
            var required = schema["required"]?.AsArray().Select(name => name!.GetValue<string>()).ToHashSet() ?? [];
            required.UnionWith(NeededTogether(tool.Name));
            calls.AddRange(Expand(tool.Name, properties.Where(p => required.Contains(p.Key)).Select(p => p.Key).ToList(), desk));
            if (properties.Any(p => !required.Contains(p.Key)))
            {
                calls.Add(Expand(tool.Name, [.. properties.Select(p => p.Key)], desk).First());
            }
        }
        return calls;
    }

    /// <summary>
    /// Each value of each parameter, the other parameters taking their first value (with no parameter that has several
    /// values: one call).
    /// </summary>
    private static IEnumerable<ToolCall> Expand(string tool, IReadOnlyList<string> parameters, SupportDeskIds desk)
    {
        var choices = parameters.Where(p => p != "to").Select(p => (Name: p, Values: ValuesOf(tool, p, desk))).ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (variedName, variedValues) in choices.Where(c => c.Values.Count > 1).DefaultIfEmpty(("", [null])))
        {
            foreach (var value in variedValues)
            {
                var arguments = new JsonObject();
                foreach (var (name, values) in choices)
                {
                    var chosen = name == variedName ? value : values[0];
                    if (name == "from" && chosen is JsonObject range)
                    {
                        arguments["from"] = range["from"]!.DeepClone();
                        arguments["to"] = range["to"]!.DeepClone();
                    }
                    else
                    {
                        arguments[name] = chosen?.DeepClone();
                    }
                }
                var call = new ToolCall(tool, arguments);
                if (seen.Add(call.ToString()))
                {
                    yield return call;
                }
            }
        }
    }

    /// <summary>Optional parameters of which a call needs at least one (update_subscription: something to change).</summary>
    private static string[] NeededTogether(string tool) => tool == "update_subscription" ? ["status"] : [];

    private static IReadOnlyList<JsonNode?> ValuesOf(string tool, string parameter, SupportDeskIds desk) => (tool, parameter) switch
    {
        // Only a locked account can be unlocked: the locked-account scenario customer.
        ("unlock_account", "customer_id") => ["C9002"],
        (_, "customer_id") => [.. desk.Customers.Select(id => JsonValue.Create(id))],
        (_, "subscription_id") => [.. desk.Subscriptions.Select(id => JsonValue.Create(id))],
        (_, "invoice_id") => [.. desk.Invoices.Take(MaxInvoices).Select(id => JsonValue.Create(id))],
        // A month with usage, and a month before anyone joined (no usage: no peak day).
        (_, "from") => [new JsonObject { ["from"] = "2026-10-01", ["to"] = "2026-10-31" }, new JsonObject { ["from"] = "2000-01-01", ["to"] = "2000-01-31" }],
        (_, "query") => ["slow internet connection", "zqxjv"],
        (_, "question") => ["What should we tell this customer?"],
        (_, "text") => ["Prynai answers agents over MCP. It keeps state in SQLite, Redis or Cosmos DB."],
        (_, "subject") => ["Generated: connection drops"],
        (_, "description") => ["Opened by the structured-result test."],
        (_, "reason") => ["identity verified by the structured-result test"],
        (_, "symptom") => ["no signal after a storm"],
        (_, "restart_device") => [false],
        ("update_subscription", "status") => ["active"],
        (_, "status") => ["open"],
        (_, "category") => ["technical"],
        (_, "priority") => ["high"],
        (_, "plan") => ["premium"],
        (_, "auto_renew") => [true],
        (_, "monthly_fee") => [42.5],
        (_, "a") => [6],
        (_, "b") => [3],
        (_, "n") => [4],
        (_, "steps") => [2],
        (_, "step") => [1],
        (_, "value") => [7],
        (_, "limit") => [5],
        (_, "top") => [3],
        _ => throw new InvalidOperationException(
            $"No generated value for parameter '{parameter}' of '{tool}': add valid values for it to {nameof(GeneratedToolCalls)}.{nameof(ValuesOf)}."),
    };

    /// <summary>The support desk's ids, read through the tools themselves.</summary>
    private sealed record SupportDeskIds(IReadOnlyList<string> Customers, IReadOnlyList<string> Subscriptions, IReadOnlyList<string> Invoices)
    {
        private static readonly string[] KnownCustomers = ["C0001", "C0002", "C0003", "C0004", "C0005", "C9001", "C9002", "C9003", "C9004", "C9005"];

        public static async Task<SupportDeskIds> DiscoverAsync(McpClient client, CancellationToken cancellationToken)
        {
            var subscriptions = new List<string>();
            var invoices = new List<string>();
            foreach (var customer in KnownCustomers)
            {
                var detail = await StructuredAsync(client, "get_customer_detail", new() { ["customer_id"] = customer }, cancellationToken);
                subscriptions.AddRange(detail.GetProperty("subscriptions").EnumerateArray().Select(s => s.GetProperty("id").GetString()!));
                var listed = await StructuredAsync(client, "list_invoices", new() { ["customer_id"] = customer }, cancellationToken);
                invoices.AddRange(listed.GetProperty("invoices").EnumerateArray().Select(i => i.GetProperty("id").GetString()!).Take(2));
            }
            return new SupportDeskIds(KnownCustomers, subscriptions, invoices);
        }

        private static async Task<JsonElement> StructuredAsync(McpClient client, string tool, Dictionary<string, object?> arguments, CancellationToken cancellationToken)
        {
            var result = await client.CallToolAsync(tool, arguments, cancellationToken: cancellationToken);
            return result.IsError != true && result.StructuredContent is { } structured
                ? structured
                : throw new InvalidOperationException($"{tool} failed while listing the support desk's ids: {result.Content.FirstOrDefault()}");
        }
    }
}

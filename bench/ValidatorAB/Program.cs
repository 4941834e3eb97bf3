using System.Diagnostics;
using System.Text.Json;
using Json.Schema;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;
using Prynai.McpServer;
using Prynai.McpServer.State;
using Prynai.McpServer.Tools;

// The real tool set, with the schemas clients see (after the portable-schema rewrite).
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Development" });
builder.Configuration["State:SqlitePath"] = Path.Combine(Path.GetTempPath(), $"validator-ab-{Guid.NewGuid():N}.db");
builder.Logging.ClearProviders();
builder.AddPrynaiState();
builder.AddPrynaiMcp();
using var host = builder.Build();
var tools = host.Services.GetRequiredService<IOptions<McpServerOptions>>().Value.ToolCollection!.ToDictionary(tool => tool.ProtocolTool.Name);
var compiled = tools.ToDictionary(pair => pair.Key, pair => JsonSchema.FromText(pair.Value.ProtocolTool.InputSchema.GetRawText()));
var flag = new EvaluationOptions { OutputFormat = OutputFormat.Flag };
var list = new EvaluationOptions { OutputFormat = OutputFormat.List };

static Dictionary<string, JsonElement> Args(string json) =>
    JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!;

bool Ours(string tool, Dictionary<string, JsonElement> arguments) =>
    ToolArgumentValidator.Validate(tools[tool], new Dictionary<string, JsonElement>(arguments)).Count == 0;

bool Theirs(string tool, Dictionary<string, JsonElement> arguments, EvaluationOptions options) =>
    compiled[tool].Evaluate(JsonSerializer.SerializeToElement(arguments), options).IsValid;

// 1. Verdicts on a corpus of real calls and the mistakes clients make.
(string Tool, string Arguments, string Case)[] corpus =
[
    ("add", """{"a":2,"b":3}""", "valid"),
    ("add", """{"a":2}""", "missing required"),
    ("add", """{"a":"2","b":3}""", "string for a number"),
    ("add", """{"a":1e400,"b":3}""", "1e400 (not a double)"),
    ("long_task", """{"steps":3}""", "valid"),
    ("long_task", """{"steps":3.0}""", "3.0 for an integer"),
    ("long_task", """{"steps":1e1}""", "1e1 for an integer"),
    ("long_task", """{"steps":2.5}""", "2.5 for an integer"),
    ("long_task", """{"steps":0}""", "below minimum"),
    ("long_task", """{"steps":null}""", "null for an optional parameter"),
    ("echo", """{"text":"hi"}""", "valid"),
    ("echo", "{\"text\":\"" + new string('x', 100_001) + "\"}", "over maxLength"),
    ("bump_counter", """{"step":1}""", "valid"),
    ("bump_counter", """{"step":1000000001}""", "above maximum"),
    ("set_counter", """{"value":9223372036854775807}""", "above maximum (counter range)"),
    ("create_support_ticket", """{"customer_id":"C0001","subject":"s","description":"d","category":"billing","priority":"low"}""", "valid"),
    ("create_support_ticket", """{"customer_id":"C0001","subject":"s"}""", "missing required"),
    ("trouble_shoot_device", """{"subscription_id":"S1","symptom":null}""", "null for an optional parameter"),
    ("trouble_shoot_device", """{"subscription_id":"S1","symptom":7}""", "number for a string"),
];
Console.WriteLine("Verdicts (valid = accepted):");
Console.WriteLine($"{"tool",-22} {"case",-32} {"ours",-8} {"JsonSchema.Net",-14}");
var disagreements = 0;
foreach (var (tool, arguments, name) in corpus)
{
    var ours = Ours(tool, Args(arguments));
    var theirs = Theirs(tool, Args(arguments), flag);
    disagreements += ours == theirs ? 0 : 1;
    Console.WriteLine($"{tool,-22} {name,-32} {(ours ? "valid" : "invalid"),-8} {(theirs ? "valid" : "invalid"),-14}{(ours == theirs ? "" : "  <- differs")}");
}
Console.WriteLine($"{disagreements} disagreement(s).");

// What each says about one bad call.
var bad = Args("""{"a":"2"}""");
Console.WriteLine($"ours: {string.Join("; ", ToolArgumentValidator.Validate(tools["add"], new Dictionary<string, JsonElement>(bad)))}");
var details = compiled["add"].Evaluate(JsonSerializer.SerializeToElement(bad), list);
Console.WriteLine("JsonSchema.Net: " + string.Join("; ", (details.Details ?? []).Where(d => d.Errors is { Count: > 0 })
    .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} {e.Key}: {e.Value}"))));

// 2. Cost per call on the hot path (valid arguments), A/B alternating so drift and noise hit both alike.
foreach (var (tool, arguments) in new[] { ("add", """{"a":2,"b":3}"""), ("create_support_ticket", corpus[15].Arguments) })
{
    var call = Args(arguments);
    const int Calls = 20_000;
    const int Rounds = 15;
    var ours = new List<(double Ns, double Bytes)>();
    var theirs = new List<(double Ns, double Bytes)>();
    for (var round = 0; round < Rounds + 4; round++)
    {
        // Valid arguments are never rewritten: the call validates the request's own dictionary, as the tool-call filter does.
        var a = Measure(() => ToolArgumentValidator.Validate(tools[tool], call).Count == 0, Calls);
        var b = Measure(() => Theirs(tool, call, flag), Calls);
        if (round >= 4) // the first rounds warm up the JIT (tiering)
        {
            ours.Add(a);
            theirs.Add(b);
        }
    }
    Console.WriteLine($"{tool}: ours {Median(ours.Select(x => x.Ns)):0} ns, {Median(ours.Select(x => x.Bytes)):0} B per call; " +
                      $"JsonSchema.Net {Median(theirs.Select(x => x.Ns)):0} ns, {Median(theirs.Select(x => x.Bytes)):0} B per call " +
                      $"(median of {Rounds} alternating rounds of {Calls} calls)");
}

static (double Ns, double Bytes) Measure(Func<bool> call, int calls)
{
    var allocated = GC.GetAllocatedBytesForCurrentThread();
    var clock = Stopwatch.StartNew();
    for (var i = 0; i < calls; i++)
    {
        if (!call())
        {
            throw new InvalidOperationException("a valid call was refused");
        }
    }
    clock.Stop();
    return (clock.Elapsed.TotalNanoseconds / calls, (double)(GC.GetAllocatedBytesForCurrentThread() - allocated) / calls);
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToList();
    return sorted[sorted.Count / 2];
}

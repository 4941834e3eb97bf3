using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Prynai.SmokeClient.Connection;

namespace Prynai.SmokeClient.Smoke;

// Log notifications are deprecated by protocol 2026-07-28 (MCP9005); the smoke still checks them because the
// server sends them to the clients that ask.
#pragma warning disable MCP9005

/// <summary>
/// Drives every capability of a Prynai server end to end and prints the original system's lines
/// (TOOLS, RESOURCES, PROMPTS, STATUS, ADD RESULT, COUNTER, COUNTER_AFTER, PROMPT TEXT, SAMPLING RESULT, LONG_TASK).
/// </summary>
public sealed class SmokeRun(ConnectionSettings settings, SmokeReport report)
{
    public const string Unavailable = "sampling unavailable";

    private static readonly string[] ExpectedTools =
        ["add", "multiply", "divide", "echo", "long_task", "slow_square", "summarize_via_client_llm", "bump_counter", "set_counter"];

    private static readonly string[] ExpectedResources = ["prynai://status", "prynai://counter", "prynai://server-info"];

    private readonly ConcurrentQueue<string> _logMessages = new();
    private OutputSchemaCheck _schemas = null!;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        McpClient client;
        try
        {
            client = await McpConnection.ConnectAsync(settings, Handlers(), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            report.Fail("connect", ex);
            return report.Finish();
        }

        await using (client)
        {
            report.Line("SERVER", $"{client.ServerInfo?.Name} {client.ServerInfo?.Version} (protocol {client.NegotiatedProtocolVersion})");
            _schemas = await OutputSchemaCheck.LoadAsync(client, cancellationToken);
            await StepAsync("tools", () => ListToolsAsync(client, cancellationToken));
            await StepAsync("resources", () => ListResourcesAsync(client, cancellationToken));
            await StepAsync("prompts", () => ListPromptsAsync(client, cancellationToken));
            await StepAsync("status", () => StatusAsync(client, cancellationToken));
            await StepAsync("arithmetic", () => ArithmeticAsync(client, cancellationToken));
            await StepAsync("echo", () => EchoAsync(client, cancellationToken));
            await StepAsync("counter", () => CounterAsync(client, cancellationToken));
            await StepAsync("prompt", () => PromptAsync(client, cancellationToken));
            await StepAsync("sampling", () => SamplingAsync(client, cancellationToken));
            await StepAsync("long_task", () => LongTaskAsync(client, cancellationToken));
            _schemas.Report(report);
        }
        return report.Finish();
    }

    private McpClientHandlers Handlers() => new()
    {
        NotificationHandlers =
        [
            new(NotificationMethods.LoggingMessageNotification, (notification, _) =>
            {
                _logMessages.Enqueue(notification.Params?["data"]?.ToString() ?? "");
                return default;
            }),
        ],
    };

    private async Task StepAsync(string name, Func<Task> step)
    {
        try
        {
            await step();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            report.Fail(name, ex);
        }
    }

    private async Task ListToolsAsync(McpClient client, CancellationToken cancellationToken)
    {
        var tools = (await client.ListToolsAsync(cancellationToken: cancellationToken)).Select(t => t.Name).ToList();
        report.Line("TOOLS", Format(tools));
        var missing = ExpectedTools.Except(tools).ToList();
        report.Check(missing.Count == 0, "tools", $"missing {Format(missing)}");
    }

    private async Task ListResourcesAsync(McpClient client, CancellationToken cancellationToken)
    {
        var resources = (await client.ListResourcesAsync(cancellationToken: cancellationToken)).Select(r => r.Uri).ToList();
        report.Line("RESOURCES", Format(resources));
        var missing = ExpectedResources.Except(resources).ToList();
        report.Check(missing.Count == 0, "resources", $"missing {Format(missing)}");

        var templates = (await client.ListResourceTemplatesAsync(cancellationToken: cancellationToken)).Select(t => t.UriTemplate).ToList();
        report.Line("RESOURCE TEMPLATES", Format(templates));
        var hello = await ReadTextAsync(client, "hello://Prynai", cancellationToken);
        report.Line("HELLO", hello);
        report.Check(hello == "Hello, Prynai", "hello", $"hello://Prynai should read \"Hello, Prynai\", got \"{hello}\"");
    }

    private async Task ListPromptsAsync(McpClient client, CancellationToken cancellationToken)
    {
        var prompts = (await client.ListPromptsAsync(cancellationToken: cancellationToken)).Select(p => p.Name).ToList();
        report.Line("PROMPTS", Format(prompts));
        report.Check(prompts.Contains("quick_summary"), "prompts", "quick_summary is missing");
    }

    private async Task StatusAsync(McpClient client, CancellationToken cancellationToken)
    {
        var status = await ReadTextAsync(client, "prynai://status", cancellationToken);
        report.Line("STATUS", status);
        report.Check(status == "ok", "status", $"prynai://status should read \"ok\", got \"{status}\"");
    }

    private async Task ArithmeticAsync(McpClient client, CancellationToken cancellationToken)
    {
        var sum = await CallForNumberAsync(client, "add", new() { ["a"] = 2, ["b"] = 3 }, cancellationToken);
        report.Line("ADD RESULT", sum);
        report.Check(sum == 5, "add", $"add(2, 3) should be 5, got {sum}");

        var product = await CallForNumberAsync(client, "multiply", new() { ["a"] = 4, ["b"] = 2.5 }, cancellationToken);
        report.Check(product == 10, "multiply", $"multiply(4, 2.5) should be 10, got {product}");

        var byZero = await _schemas.CallAsync(client, "divide", new Dictionary<string, object?> { ["a"] = 1, ["b"] = 0 }, cancellationToken);
        report.Line("DIVIDE BY ZERO", byZero.IsError == true ? $"error: {Text(byZero)}" : Text(byZero));
        report.Check(byZero.IsError == true && Text(byZero).Contains("zero", StringComparison.OrdinalIgnoreCase), "divide",
            "divide(1, 0) should be a tool error mentioning zero");

        var unbound = await _schemas.CallAsync(client, "add", new Dictionary<string, object?> { ["a"] = "two" }, cancellationToken);
        report.Check(unbound.IsError == true && Text(unbound).Contains("'b' is required", StringComparison.Ordinal), "arguments",
            $"add(a: \"two\") should name the problems, got \"{Text(unbound)}\"");
    }

    private async Task EchoAsync(McpClient client, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> logs;
        if (IsStateless(client))
        {
            // 2026-07-28 asks for logs per request (_meta logLevel); sessions set a level once.
            var echo = await _schemas.CallAsync(client, "echo", new Dictionary<string, object?> { ["text"] = "hello prynai" }, cancellationToken);
            report.Line("ECHO", Text(echo));
            report.Check(Text(echo) == "hello prynai", "echo", $"echo should return its text, got \"{Text(echo)}\"");
            report.Check(_logMessages.IsEmpty, "echo log", "without a logLevel in _meta a 2026-07-28 client must get no log notifications");
            logs = await StatelessLogProbe.EchoWithLogsAsync(settings, "hello prynai", cancellationToken);
        }
        else
        {
            await client.SetLoggingLevelAsync(LoggingLevel.Info, cancellationToken: cancellationToken);
            _logMessages.Clear();
            var echo = await _schemas.CallAsync(client, "echo", new Dictionary<string, object?> { ["text"] = "hello prynai" }, cancellationToken);
            report.Line("ECHO", Text(echo));
            report.Check(Text(echo) == "hello prynai", "echo", $"echo should return its text, got \"{Text(echo)}\"");
            await WaitForAsync(() => _logMessages.Any(m => m.Contains("echo", StringComparison.Ordinal)), cancellationToken);
            logs = [.. _logMessages];
        }
        report.Line("ECHO LOG", logs.FirstOrDefault());
        report.Check(logs.Any(m => m.Contains("echo", StringComparison.Ordinal)), "echo log", "echo should send an info log notification");
    }

    private async Task CounterAsync(McpClient client, CancellationToken cancellationToken)
    {
        var updates = 0;
        await using var subscription = await CounterSubscription.StartAsync(client, () => Interlocked.Increment(ref updates), cancellationToken);

        var before = long.Parse(await ReadTextAsync(client, "prynai://counter", cancellationToken));
        report.Line("COUNTER", before);
        for (var i = 0; i < 2; i++)
        {
            var bumped = await _schemas.CallAsync(client, "bump_counter", new Dictionary<string, object?> { ["step"] = 1 }, cancellationToken);
            report.Check(bumped.IsError != true, "bump_counter", $"bump_counter failed: {Text(bumped)}");
        }
        var after = long.Parse(await ReadTextAsync(client, "prynai://counter", cancellationToken));
        report.Line("COUNTER_AFTER", after);
        report.Check(after == before + 2, "counter", $"two bumps should add 2 (from {before}), got {after}");

        var notified = await WaitForAsync(() => Volatile.Read(ref updates) >= 2, cancellationToken);
        report.Line("COUNTER_UPDATES", Volatile.Read(ref updates));
        report.Check(notified, "counter updates", "a subscriber of prynai://counter should hear of both bumps");
    }

    private async Task PromptAsync(McpClient client, CancellationToken cancellationToken)
    {
        var prompt = await client.GetPromptAsync("quick_summary",
            new Dictionary<string, object?> { ["title"] = "MCP Phase 1", ["tone"] = "formal" }, cancellationToken: cancellationToken);
        var text = (prompt.Messages.FirstOrDefault()?.Content as TextContentBlock)?.Text;
        report.Line("PROMPT TEXT", text);
        report.Check(text == "Write a concise, formal summary. Document title: MCP Phase 1", "prompt", "quick_summary's first message is wrong");

        var completion = await client.CompleteAsync(new PromptReference { Name = "quick_summary" }, "tone", "inf", cancellationToken: cancellationToken);
        report.Line("COMPLETION", Format(completion.Completion.Values));
        report.Check(completion.Completion.Values.SequenceEqual(["informal"]), "completion", "completing tone from \"inf\" should offer [informal]");
    }

    private async Task SamplingAsync(McpClient client, CancellationToken cancellationToken)
    {
        var result = await _schemas.CallAsync(client, "summarize_via_client_llm",
            new Dictionary<string, object?> { ["text"] = "Prynai is an MCP server written in C#." }, cancellationToken);
        var summary = Structured(result)?.GetProperty("summary").GetString() ?? Text(result);
        report.Line("SAMPLING RESULT", summary);
        report.Check(settings.Sampling ? summary.StartsWith(McpConnection.MockPrefix, StringComparison.Ordinal) : summary == Unavailable,
            "sampling", settings.Sampling ? "the mock model's answer (MOCK:…) should come back" : $"without sampling the tool should say \"{Unavailable}\"");
    }

    private async Task LongTaskAsync(McpClient client, CancellationToken cancellationToken)
    {
        // Counted by a session-wide handler: the client drops a per-call progress handler as soon as the result
        // arrives, so a last step still in its dispatch queue would be lost to it. The client also runs notification
        // handlers concurrently, so arrival order says nothing; the progress value (which must increase) gives the order.
        var steps = new ConcurrentQueue<(double Progress, string Message)>();
        await using var listener = client.RegisterNotificationHandler(NotificationMethods.ProgressNotification, (notification, _) =>
        {
            steps.Enqueue((notification.Params?["progress"]?.GetValue<double>() ?? double.NaN, notification.Params?["message"]?.GetValue<string>() ?? ""));
            return default;
        });
        var result = await report.WithProgressAsync("long_task", progress =>
            _schemas.CallAsync(client, "long_task", new Dictionary<string, object?> { ["steps"] = 3 }, cancellationToken,
                new SynchronousProgress<ProgressNotificationValue>(p => progress.Report(new ProgressUpdate(p.Progress, p.Total, p.Message)))));

        await WaitForAsync(() => steps.Count >= 3, cancellationToken);
        var status = Structured(result)?.GetProperty("status").GetString();
        report.Line("LONG_TASK", status);
        report.Check(status == "done", "long_task", $"long_task should finish \"done\", got \"{Text(result)}\"");
        var ordered = steps.OrderBy(step => step.Progress).ToList();
        report.Check(ordered.Select(step => step.Progress).SequenceEqual([1d, 2d, 3d]) && ordered.Select(step => step.Message).SequenceEqual(["step 1/3", "step 2/3", "step 3/3"]),
            "long_task progress", $"expected progress 1..3 with messages step 1/3..3/3, got {Format(ordered.Select(step => $"{step.Progress}: {step.Message}"))}");
    }

    private async Task<double> CallForNumberAsync(McpClient client, string tool, Dictionary<string, object?> arguments, CancellationToken cancellationToken)
    {
        var result = await _schemas.CallAsync(client, tool, arguments, cancellationToken);
        if (result.IsError == true)
        {
            throw new McpException($"{tool} failed: {Text(result)}");
        }
        return Structured(result)?.GetProperty("result").GetDouble() ?? double.NaN;
    }

    internal static async Task<string> ReadTextAsync(McpClient client, string uri, CancellationToken cancellationToken)
    {
        var read = await client.ReadResourceAsync(uri, cancellationToken: cancellationToken);
        return read.Contents.OfType<TextResourceContents>().FirstOrDefault()?.Text ?? "";
    }

    internal static JsonElement? Structured(CallToolResult result) =>
        result.StructuredContent is { ValueKind: JsonValueKind.Object } element ? element : null;

    internal static string Text(CallToolResult result) =>
        string.Concat(result.Content.OfType<TextContentBlock>().Select(block => block.Text));

    internal static bool IsStateless(McpClient client) => client.NegotiatedProtocolVersion == "2026-07-28";

    internal static string Format(IEnumerable<string> items) => "[" + string.Join(", ", items) + "]";

    private static async Task<bool> WaitForAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        for (var waited = 0; waited < 5000 && !condition(); waited += 50)
        {
            await Task.Delay(50, cancellationToken);
        }
        return condition();
    }
}

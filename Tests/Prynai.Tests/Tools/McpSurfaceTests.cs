using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Tools;

/// <summary>The MCP surface through the C# client, on the stateless revision and on a session revision.</summary>
public sealed class McpSurfaceTests(SharedServer server) : IClassFixture<SharedServer>
{
    public static TheoryData<string> Protocols => new() { "2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26" };

    [Theory, MemberData(nameof(Protocols))]
    public async Task ListTools_EveryToolIsDescribed_AndDataToolsDeclareOutputSchemas(string protocol)
    {
        await using var client = await server.Factory.ConnectAsync(protocol);
        var tools = await client.ListToolsAsync(cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(
            ["add", "ask_account_expert", "ask_billing_expert", "ask_product_expert", "bump_counter", "create_support_ticket", "divide", "echo",
             "get_customer_detail", "get_data_usage", "get_eligible_promotions", "get_invoice_payments", "get_security_logs", "get_subscription_detail",
             "list_invoices", "list_support_tickets", "long_task", "multiply", "search_knowledge_base", "set_counter", "slow_square",
             "summarize_via_client_llm", "trouble_shoot_device"],
            tools.Select(t => t.Name).Order());
        foreach (var tool in tools)
        {
            Assert.False(string.IsNullOrWhiteSpace(tool.Description), $"{tool.Name} has no description");
            foreach (var property in tool.JsonSchema.GetProperty("properties").EnumerateObject())
            {
                Assert.True(property.Value.TryGetProperty("description", out _), $"{tool.Name}.{property.Name} has no description");
            }
        }
        Assert.All(tools.Where(t => t.Name != "echo"), tool => Assert.NotNull(tool.ProtocolTool.OutputSchema));
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Arithmetic_ReturnsStructuredResults(string protocol)
    {
        await using var client = await server.Factory.ConnectAsync(protocol);

        Assert.Equal(5, await McpClientCalls.NumberAsync(client, "add", 2, 3));
        Assert.Equal(10, await McpClientCalls.NumberAsync(client, "multiply", 4, 2.5));
        Assert.Equal(0.25, await McpClientCalls.NumberAsync(client, "divide", 1, 4));
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Divide_ByZero_IsAClearToolError(string protocol)
    {
        await using var client = await server.Factory.ConnectAsync(protocol);
        var result = await client.CallToolAsync("divide", new Dictionary<string, object?> { ["a"] = 1, ["b"] = 0 },
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(result.IsError);
        Assert.Contains("Cannot divide by zero", McpClientCalls.Text(result));
        Assert.Null(result.StructuredContent);
    }

    [Theory]
    [InlineData("""{"a":1}""", "'b' is required")]
    [InlineData("""{"a":"two","b":3}""", "'a' must be a number, got a string (\"two\")")]
    [InlineData("""{"a":true,"b":null}""", "'a' must be a number, got the boolean true; 'b' must be a number, got null")]
    public async Task Add_WithArgumentsThatDoNotBind_SaysWhy(string arguments, string problem)
    {
        await using var client = await server.Factory.ConnectAsync();
        var result = await client.CallToolAsync(new CallToolRequestParams
        {
            Name = "add",
            Arguments = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(arguments),
        }, TestContext.Current.CancellationToken);

        Assert.True(result.IsError);
        Assert.Equal($"Invalid arguments for tool 'add': {problem}.", McpClientCalls.Text(result));
    }

    [Fact]
    public async Task LongTask_OutOfRangeSteps_IsRefusedBeforeRunning()
    {
        await using var client = await server.Factory.ConnectAsync();
        var result = await client.CallToolAsync("long_task", new Dictionary<string, object?> { ["steps"] = 1000 },
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(result.IsError);
        Assert.Equal("Invalid arguments for tool 'long_task': 'steps' must be at most 100.", McpClientCalls.Text(result));
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task LongTask_ReportsEachStep_ThenDone(string protocol)
    {
        await using var client = await server.Factory.ConnectAsync(protocol);
        // The client runs notification handlers concurrently, so the order is the progress value's (wire order: StatelessHttpTests).
        var steps = new SortedList<double, string>();
        await using var _ = client.RegisterNotificationHandler(NotificationMethods.ProgressNotification, (notification, _) =>
        {
            lock (steps)
            {
                steps.Add(notification.Params!["progress"]!.GetValue<double>(), notification.Params!["message"]!.GetValue<string>());
            }
            return default;
        });

        var result = await client.CallToolAsync("long_task", new Dictionary<string, object?> { ["steps"] = 4 },
            new Progress<ModelContextProtocol.ProgressNotificationValue>(), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("done", result.StructuredContent!.Value.GetProperty("status").GetString());
        await Eventually.TrueAsync(() => { lock (steps) { return steps.Count == 4; } });
        Assert.Equal([1d, 2d, 3d, 4d], steps.Keys);
        Assert.Equal(["step 1/4", "step 2/4", "step 3/4", "step 4/4"], steps.Values);
    }

    [Theory]
    [InlineData("2025-11-25")]
    [InlineData("2025-03-26")]
    public async Task SessionLogs_StartAtInfo_UntilTheClientSetsALevel(string protocol)
    {
        await using var client = await server.Factory.ConnectAsync(protocol);
        var logs = new System.Collections.Concurrent.ConcurrentQueue<(string Level, string Text)>();
#pragma warning disable MCP9005 // log notifications and logging/setLevel belong to the session revisions tested here
        await using var _ = client.RegisterNotificationHandler(NotificationMethods.LoggingMessageNotification, (notification, _) =>
        {
            logs.Enqueue((notification.Params!["level"]!.GetValue<string>(), notification.Params!["data"]!.GetValue<string>()));
            return default;
        });
        async Task<List<(string Level, string Text)>> LongTaskLogsAsync()
        {
            logs.Clear();
            await client.CallToolAsync("long_task", new Dictionary<string, object?> { ["steps"] = 2 }, cancellationToken: TestContext.Current.CancellationToken);
            await Eventually.TrueAsync(() => logs.Any(log => log.Text == "long_task: done"));
            return [.. logs];
        }

        var byDefault = await LongTaskLogsAsync();
        Assert.Equal(["info", "info"], byDefault.Select(log => log.Level));
        Assert.Equal(["long_task: done", "long_task: starting 2 steps"], byDefault.Select(log => log.Text).Order());

        await client.SetLoggingLevelAsync(LoggingLevel.Debug, cancellationToken: TestContext.Current.CancellationToken);
#pragma warning restore MCP9005
        await LongTaskLogsAsync();
        await Eventually.TrueAsync(() => logs.Count(log => log.Level == "debug") == 2);
        Assert.Contains(logs, log => log.Text == "long_task: step 2/2" && log.Level == "debug");
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task SummarizeViaClientLlm_AsksTheClientsModel(string protocol)
    {
        await using var client = await server.Factory.ConnectAsync(protocol, sampling: true);
        var result = await client.CallToolAsync("summarize_via_client_llm", new Dictionary<string, object?> { ["text"] = "Prynai serves MCP." },
            cancellationToken: TestContext.Current.CancellationToken);

        var structured = result.StructuredContent!.Value;
        Assert.StartsWith("MOCK:Summarize the following text", structured.GetProperty("summary").GetString());
        Assert.Equal("client-llm", structured.GetProperty("source").GetString());
        Assert.Equal("prynai-mock", structured.GetProperty("model").GetString());
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task SummarizeViaClientLlm_WithoutSampling_SaysSamplingUnavailable(string protocol)
    {
        await using var client = await server.Factory.ConnectAsync(protocol, sampling: false);
        var result = await client.CallToolAsync("summarize_via_client_llm", new Dictionary<string, object?> { ["text"] = "Prynai serves MCP." },
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("sampling unavailable", result.StructuredContent!.Value.GetProperty("summary").GetString());
        Assert.Equal("fallback", result.StructuredContent!.Value.GetProperty("source").GetString());
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Resources_StatusHelloAndServerInfo(string protocol)
    {
        await using var client = await server.Factory.ConnectAsync(protocol);
        var ct = TestContext.Current.CancellationToken;

        var resources = await client.ListResourcesAsync(cancellationToken: ct);
        Assert.Equal(["prynai://counter", "prynai://server-info", "prynai://status"], resources.Select(r => r.Uri).Order());
        Assert.Equal(["customer://{id}", "hello://{name}", "kb://{article_id}"], (await client.ListResourceTemplatesAsync(cancellationToken: ct)).Select(t => t.UriTemplate).Order());

        Assert.Equal("ok", await McpClientCalls.ReadTextAsync(client, "prynai://status"));
        Assert.Equal("Hello, Ada Lovelace", await McpClientCalls.ReadTextAsync(client, "hello://Ada%20Lovelace"));

        using var info = JsonDocument.Parse(await McpClientCalls.ReadTextAsync(client, "prynai://server-info"));
        Assert.Equal("prynai-mcp", info.RootElement.GetProperty("name").GetString());
        Assert.Equal("sqlite", info.RootElement.GetProperty("store").GetString());
        Assert.False(info.RootElement.GetProperty("auth").GetProperty("required").GetBoolean());
        Assert.Contains("2026-07-28", info.RootElement.GetProperty("protocolVersions").EnumerateArray().Select(v => v.GetString()));
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task QuickSummary_ReturnsStructuredMessages_AndCompletesTone(string protocol)
    {
        await using var client = await server.Factory.ConnectAsync(protocol);
        var ct = TestContext.Current.CancellationToken;

        var prompt = await client.GetPromptAsync("quick_summary", new Dictionary<string, object?> { ["title"] = "Q3 report", ["tone"] = "informal" }, cancellationToken: ct);
        Assert.Equal("Write a concise, informal summary. Document title: Q3 report", ((TextContentBlock)prompt.Messages[0].Content).Text);
        Assert.Equal(Role.User, prompt.Messages[0].Role);

        var defaults = await client.GetPromptAsync("quick_summary", cancellationToken: ct);
        Assert.Equal("Write a concise, formal summary. Document title: Untitled", ((TextContentBlock)defaults.Messages[0].Content).Text);

        Assert.Equal(["formal", "informal"], (await client.CompleteAsync(new PromptReference { Name = "quick_summary" }, "tone", "", cancellationToken: ct)).Completion.Values);
        Assert.Equal(["formal"], (await client.CompleteAsync(new PromptReference { Name = "quick_summary" }, "tone", "F", cancellationToken: ct)).Completion.Values);
        Assert.Empty((await client.CompleteAsync(new PromptReference { Name = "quick_summary" }, "title", "x", cancellationToken: ct)).Completion.Values);
    }

    [Fact]
    public async Task QuickSummary_WithAnUnknownTone_IsInvalidParams()
    {
        await using var client = await server.Factory.ConnectAsync("2025-11-25");
        var error = await Assert.ThrowsAsync<ModelContextProtocol.McpProtocolException>(async () =>
            await client.GetPromptAsync("quick_summary", new Dictionary<string, object?> { ["tone"] = "sarcastic" }, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(ModelContextProtocol.McpErrorCode.InvalidParams, error.ErrorCode);
        Assert.Contains("expected one of formal, informal", error.Message);
    }

    public static TheoryData<string, string, bool> DataToolCalls => new()
    {
        { "add", """{"a":1,"b":2}""", true },
        { "multiply", """{"a":1,"b":2}""", true },
        { "divide", """{"a":1,"b":2}""", true },
        { "slow_square", """{"n":3}""", true },
        { "long_task", """{"steps":1}""", true },
        { "bump_counter", """{"step":0}""", true },
        { "summarize_via_client_llm", """{"text":"x"}""", true },
        { "summarize_via_client_llm", """{"text":"x"}""", false },
    };

    [Theory, MemberData(nameof(DataToolCalls))]
    public async Task DataTools_ReturnStructuredContentThatMatchesTheirOutputSchema(string tool, string arguments, bool sampling)
    {
        await using var client = await server.Factory.ConnectAsync("2025-11-25", sampling);
        var schema = (await client.ListToolsAsync(cancellationToken: TestContext.Current.CancellationToken))
            .Single(t => t.Name == tool).ProtocolTool.OutputSchema!.Value;
        var result = await client.CallToolAsync(new CallToolRequestParams
        {
            Name = tool,
            Arguments = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(arguments),
        }, TestContext.Current.CancellationToken);

        Assert.NotEqual(true, result.IsError);
        var content = result.StructuredContent!.Value.Deserialize<Dictionary<string, JsonElement>>();
        Assert.Empty(Prynai.McpServer.Tools.ToolArgumentValidator.Validate(schema, content));
    }

    [Theory]
    [InlineData("hello://")]
    [InlineData("hello://%20")]
    public async Task Hello_WithoutAName_IsInvalidParams(string uri)
    {
        await using var client = await server.Factory.ConnectAsync("2025-11-25");
        var error = await Assert.ThrowsAsync<ModelContextProtocol.McpProtocolException>(async () =>
            await client.ReadResourceAsync(uri, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("needs a name", error.Message);
    }
}

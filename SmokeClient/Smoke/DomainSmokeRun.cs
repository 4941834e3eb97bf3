using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Prynai.SmokeClient.Connection;

namespace Prynai.SmokeClient.Smoke;

/// <summary>
/// <c>smoke --domain</c>: walks a scenario customer of the Contoso support desk end to end — profile, subscription
/// and incident, usage, knowledge base, a ten-step diagnosis with progress, a new ticket, an expert's answer and the
/// customer:// resource — and checks each answer. It writes one support ticket; nothing else changes.
/// </summary>
public sealed class DomainSmokeRun(ConnectionSettings settings, SmokeReport report, string customerId)
{
    private OutputSchemaCheck _schemas = null!;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        McpClient client;
        try
        {
            client = await McpConnection.ConnectAsync(settings, new McpClientHandlers(), cancellationToken);
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
            var subscriptionId = await StepAsync("customer", () => CustomerAsync(client, cancellationToken));
            if (subscriptionId is null)
            {
                return report.Finish();
            }
            await StepAsync("subscription", () => SubscriptionAsync(client, subscriptionId, cancellationToken));
            await StepAsync("usage", () => UsageAsync(client, cancellationToken));
            await StepAsync("knowledge base", () => KnowledgeBaseAsync(client, cancellationToken));
            await StepAsync("troubleshoot", () => TroubleshootAsync(client, subscriptionId, cancellationToken));
            await StepAsync("ticket", () => TicketAsync(client, cancellationToken));
            await StepAsync("expert", () => ExpertAsync(client, cancellationToken));
            await StepAsync("customer resource", () => CustomerResourceAsync(client, cancellationToken));
            await StepAsync("roles", () => RolesAsync(client, cancellationToken));
            _schemas.Report(report);
        }
        return report.Finish();
    }

    private async Task<string?> CustomerAsync(McpClient client, CancellationToken cancellationToken)
    {
        var detail = await CallAsync(client, "get_customer_detail", new() { ["customer_id"] = customerId }, cancellationToken);
        var customer = detail.GetProperty("customer");
        report.Line("DOMAIN CUSTOMER", $"{customer.GetProperty("id").GetString()} {customer.GetProperty("name").GetString()} " +
            $"(scenario {(customer.TryGetProperty("scenario", out var scenario) ? scenario.ToString() : "none")}), balance due {detail.GetProperty("balanceDue")} USD, " +
            $"{detail.GetProperty("openTickets")} open ticket(s)");
        var subscriptions = detail.GetProperty("subscriptions").EnumerateArray().Select(s => s.GetProperty("id").GetString()!).ToList();
        report.Check(subscriptions.Count > 0, "customer", $"{customerId} should have a subscription");
        var bad = await _schemas.CallAsync(client, "get_customer_detail", new Dictionary<string, object?> { ["customer_id"] = "C9999" }, cancellationToken);
        report.Check(bad.IsError == true && SmokeRun.Text(bad).Contains("No customer has the id C9999", StringComparison.Ordinal), "unknown customer",
            $"an unknown customer should be a clear tool error, got \"{SmokeRun.Text(bad)}\"");
        // A generated customer illustrates no scenario: the shape whose absent member a result can get wrong.
        await CallAsync(client, "get_customer_detail", new() { ["customer_id"] = "C0001" }, cancellationToken);
        return subscriptions.FirstOrDefault();
    }

    private async Task<bool> SubscriptionAsync(McpClient client, string subscriptionId, CancellationToken cancellationToken)
    {
        var detail = await CallAsync(client, "get_subscription_detail", new() { ["subscription_id"] = subscriptionId }, cancellationToken);
        var subscription = detail.GetProperty("subscription");
        var incidents = detail.GetProperty("incidents").EnumerateArray().Select(i => i.GetProperty("id").GetString()!).ToList();
        report.Line("DOMAIN SUBSCRIPTION", $"{subscriptionId} {subscription.GetProperty("product").GetString()} {subscription.GetProperty("plan").GetString()} " +
            $"in {subscription.GetProperty("region").GetString()}; incidents {SmokeRun.Format(incidents)}");
        return report.Check(detail.GetProperty("invoices").GetArrayLength() > 0, "subscription", $"{subscriptionId} should have invoices");
    }

    private async Task<bool> UsageAsync(McpClient client, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var usage = await CallAsync(client, "get_data_usage", new()
        {
            ["customer_id"] = customerId,
            ["from"] = today.AddDays(-365).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["to"] = today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        }, cancellationToken);
        report.Line("DOMAIN USAGE", $"{usage.GetProperty("days").GetArrayLength()} day(s), {usage.GetProperty("totalGb")} GB");
        var empty = await CallAsync(client, "get_data_usage", new() { ["customer_id"] = customerId, ["from"] = "2000-01-01", ["to"] = "2000-01-31" }, cancellationToken);
        report.Check(empty.GetProperty("days").GetArrayLength() == 0, "usage without data", "a range before the customer joined should have no days");
        var reversed = await _schemas.CallAsync(client, "get_data_usage", new Dictionary<string, object?>
        { ["customer_id"] = customerId, ["from"] = "2026-10-31", ["to"] = "2026-10-01" }, cancellationToken);
        return report.Check(reversed.IsError == true, "usage dates", "a reversed date range should be a tool error");
    }

    private async Task<bool> KnowledgeBaseAsync(McpClient client, CancellationToken cancellationToken)
    {
        var search = await CallAsync(client, "search_knowledge_base", new() { ["query"] = "slow internet connection", ["top"] = 3 }, cancellationToken);
        var top = search.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("articleId").GetString()!).ToList();
        report.Line("DOMAIN KB", SmokeRun.Format(top));
        if (!report.Check(top.Count > 0, "knowledge base", "searching \"slow internet connection\" should find articles"))
        {
            return false;
        }
        var article = await SmokeRun.ReadTextAsync(client, $"kb://{top[0]}", cancellationToken);
        return report.Check(article.StartsWith("# ", StringComparison.Ordinal), "kb resource", $"kb://{top[0]} should be a Markdown article");
    }

    private async Task<bool> TroubleshootAsync(McpClient client, string subscriptionId, CancellationToken cancellationToken)
    {
        var steps = new ConcurrentQueue<double>();
        await using var listener = client.RegisterNotificationHandler(NotificationMethods.ProgressNotification, (notification, _) =>
        {
            steps.Enqueue(notification.Params?["progress"]?.GetValue<double>() ?? double.NaN);
            return default;
        });
        var result = await report.WithProgressAsync("trouble_shoot_device", progress =>
            _schemas.CallAsync(client, "trouble_shoot_device", new Dictionary<string, object?> { ["subscription_id"] = subscriptionId, ["symptom"] = "slow and dropping" },
                cancellationToken, new SynchronousProgress<ProgressNotificationValue>(p => progress.Report(new ProgressUpdate(p.Progress, p.Total, p.Message)))));
        var diagnosis = SmokeRun.Structured(result) ?? throw new McpException($"trouble_shoot_device failed: {SmokeRun.Text(result)}");
        var findings = diagnosis.GetProperty("findings").EnumerateArray().Select(f => f.GetString()!).ToList();
        report.Line("DOMAIN TROUBLESHOOT", $"{diagnosis.GetProperty("steps").GetArrayLength()} steps; findings {SmokeRun.Format(findings)}; {diagnosis.GetProperty("recommendation").GetString()}");
        await WaitForAsync(() => steps.Count >= 10, cancellationToken);
        return report.Check(diagnosis.GetProperty("steps").GetArrayLength() == 10 && steps.Order().SequenceEqual(Enumerable.Range(1, 10).Select(i => (double)i)),
            "troubleshoot", $"ten steps with progress 1..10 expected, got {steps.Count} progress notification(s)");
    }

    private async Task<bool> TicketAsync(McpClient client, CancellationToken cancellationToken)
    {
        var ticket = await CallAsync(client, "create_support_ticket", new()
        {
            ["customer_id"] = customerId, ["subject"] = "Smoke test: connection drops", ["description"] = "Opened by prynai-smoke --domain.",
            ["category"] = "technical", ["priority"] = "low",
        }, cancellationToken);
        var id = ticket.GetProperty("id").GetString();
        report.Line("DOMAIN TICKET", id);
        var open = await CallAsync(client, "list_support_tickets", new() { ["customer_id"] = customerId, ["status"] = "open" }, cancellationToken);
        return report.Check(open.GetProperty("tickets").EnumerateArray().Any(t => t.GetProperty("id").GetString() == id), "ticket", $"{id} should be listed as open");
    }

    private async Task<bool> ExpertAsync(McpClient client, CancellationToken cancellationToken)
    {
        var answer = await CallAsync(client, "ask_product_expert",
            new() { ["question"] = "Why is this customer's service poor, and what should we tell them?", ["customer_id"] = customerId }, cancellationToken);
        var source = answer.GetProperty("source").GetString();
        var text = answer.GetProperty("answer").GetString() ?? "";
        report.Line("DOMAIN EXPERT", $"{source}: {(text.Length > 120 ? text[..120] + "…" : text)}");
        return report.Check(settings.Sampling ? source == "client-llm" && text.StartsWith(McpConnection.MockPrefix, StringComparison.Ordinal) : source == "facts",
            "expert", settings.Sampling ? "the mock model should answer the expert's question" : "without sampling the expert should answer from the facts");
    }

    private async Task<bool> CustomerResourceAsync(McpClient client, CancellationToken cancellationToken)
    {
        using var summary = JsonDocument.Parse(await SmokeRun.ReadTextAsync(client, $"customer://{customerId}", cancellationToken));
        return report.Check(summary.RootElement.GetProperty("customer").GetProperty("id").GetString() == customerId, "customer resource",
            $"customer://{customerId} should describe {customerId}");
    }

    private async Task<bool> RolesAsync(McpClient client, CancellationToken cancellationToken)
    {
        var tools = (await client.ListToolsAsync(cancellationToken: cancellationToken)).Select(t => t.Name).ToHashSet();
        report.Line("DOMAIN ROLE TOOLS", $"update_subscription {(tools.Contains("update_subscription") ? "visible" : "hidden")}, " +
            $"unlock_account {(tools.Contains("unlock_account") ? "visible" : "hidden")}");
        if (tools.Contains("unlock_account"))
        {
            return true;
        }
        // Without the security role, calling it anyway must be refused.
        try
        {
            await _schemas.CallAsync(client, "unlock_account", new Dictionary<string, object?> { ["customer_id"] = customerId, ["reason"] = "smoke" }, cancellationToken);
            return report.Check(false, "roles", "unlock_account should be refused without the security role");
        }
        catch (McpProtocolException ex)
        {
            return report.Check(ex.Message.Contains("security", StringComparison.Ordinal), "roles", $"the refusal should name the role, got \"{ex.Message}\"");
        }
    }

    private async Task<JsonElement> CallAsync(McpClient client, string tool, Dictionary<string, object?> arguments, CancellationToken cancellationToken)
    {
        var result = await _schemas.CallAsync(client, tool, arguments, cancellationToken);
        return result.IsError == true || SmokeRun.Structured(result) is not { } structured
            ? throw new McpException($"{tool} failed: {SmokeRun.Text(result)}")
            : structured;
    }

    private async Task<T?> StepAsync<T>(string name, Func<Task<T>> step)
    {
        try
        {
            return await step();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            report.Fail(name, ex);
            return default;
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        for (var i = 0; i < 50 && !condition(); i++)
        {
            await Task.Delay(100, cancellationToken);
        }
    }
}

using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Prynai.McpServer.Support.Data;
using Prynai.McpServer.Telemetry;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Support;

/// <summary>The support desk's tools and resources through an MCP client; run on SQLite and on Cosmos DB.</summary>
public abstract class SupportToolContract(SupportServerFixture desk)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Tools_AreTypedAndDescribed_AndRoleToolsAreHiddenWithoutTheirRole()
    {
        await using var plain = await desk.ConnectAsync();
        var tools = await plain.ListToolsAsync(cancellationToken: Ct);
        string[] open = ["get_customer_detail", "get_subscription_detail", "list_invoices", "get_invoice_payments", "get_data_usage",
            "get_eligible_promotions", "list_support_tickets", "create_support_ticket", "get_security_logs", "search_knowledge_base",
            "trouble_shoot_device", "ask_billing_expert", "ask_account_expert", "ask_product_expert"];
        foreach (var name in open)
        {
            var tool = Assert.Single(tools, t => t.Name == name);
            Assert.NotNull(tool.ProtocolTool.OutputSchema);
            Assert.False(string.IsNullOrWhiteSpace(tool.Description));
        }
        Assert.DoesNotContain(tools, t => t.Name is "update_subscription" or "unlock_account");

        await using var billing = await desk.ConnectAsync(roles: ["billing"]);
        var billingTools = (await billing.ListToolsAsync(cancellationToken: Ct)).Select(t => t.Name).ToList();
        Assert.Contains("update_subscription", billingTools);
        Assert.DoesNotContain("unlock_account", billingTools);

        await using var security = await desk.ConnectAsync(roles: ["security"]);
        Assert.Contains("unlock_account", (await security.ListToolsAsync(cancellationToken: Ct)).Select(t => t.Name));
    }

    [Fact]
    public async Task CustomerDetail_ShowsTheOverdueScenario_AndUnknownOrMalformedIdsAreClearErrors()
    {
        await using var client = await desk.ConnectAsync();
        var detail = await CallAsync(client, "get_customer_detail", new() { ["customer_id"] = "c9001" });
        Assert.Equal("C9001", detail.GetProperty("customer").GetProperty("id").GetString());
        Assert.Equal("overdue-invoice", detail.GetProperty("customer").GetProperty("scenario").GetString());
        Assert.Equal(1, detail.GetProperty("overdueInvoices").GetInt32());
        Assert.True(detail.GetProperty("balanceDue").GetDecimal() > 0);
        Assert.NotEqual(0, detail.GetProperty("subscriptions").GetArrayLength());

        Assert.Contains("No customer has the id C9999", await ErrorAsync(client, "get_customer_detail", new() { ["customer_id"] = "C9999" }));
        Assert.Contains("not a customer id", await ErrorAsync(client, "get_customer_detail", new() { ["customer_id"] = "42" }));
        Assert.Contains("customer_id", await ErrorAsync(client, "get_customer_detail", new() { ["customer_id"] = new string('C', 65) }));
        Assert.Contains("'customer_id' is required", await ErrorAsync(client, "get_customer_detail", new()));
    }

    [Fact]
    public async Task SubscriptionDetail_ListsItsInvoicesAndTheIncidentInItsRegion()
    {
        await using var client = await desk.ConnectAsync();
        var detail = await CallAsync(client, "get_subscription_detail", new() { ["subscription_id"] = "C9003-S1" });
        Assert.Equal("east", detail.GetProperty("subscription").GetProperty("region").GetString());
        Assert.Equal(6, detail.GetProperty("invoices").GetArrayLength());
        Assert.Contains("INC-2026-041", detail.GetProperty("incidents").EnumerateArray().Select(i => i.GetProperty("id").GetString()));

        Assert.Contains("No subscription has the id C9003-S7", await ErrorAsync(client, "get_subscription_detail", new() { ["subscription_id"] = "C9003-S7" }));
        Assert.Contains("not a subscription id", await ErrorAsync(client, "get_subscription_detail", new() { ["subscription_id"] = "S1" }));
    }

    [Fact]
    public async Task Invoices_FilterByStatus_AndPaymentsShowWhatIsOutstanding()
    {
        await using var client = await desk.ConnectAsync();
        var overdue = await CallAsync(client, "list_invoices", new() { ["customer_id"] = "C9001", ["status"] = "overdue" });
        var invoice = Assert.Single(overdue.GetProperty("invoices").EnumerateArray());
        var all = await CallAsync(client, "list_invoices", new() { ["customer_id"] = "C9001" });
        Assert.Equal(6, all.GetProperty("invoices").GetArrayLength());

        var payments = await CallAsync(client, "get_invoice_payments", new() { ["invoice_id"] = invoice.GetProperty("id").GetString() });
        var amount = payments.GetProperty("invoice").GetProperty("amount").GetDecimal();
        var paid = payments.GetProperty("paid").GetDecimal();
        Assert.True(paid > 0 && paid < amount);
        Assert.Equal(amount - paid, payments.GetProperty("outstanding").GetDecimal());
        Assert.Equal(paid, payments.GetProperty("payments").EnumerateArray().Sum(p => p.GetProperty("amount").GetDecimal()));

        Assert.Contains("'status' must be one of", await ErrorAsync(client, "list_invoices", new() { ["customer_id"] = "C9001", ["status"] = "late" }));
        Assert.Contains("No invoice has the id C9001-INV-099", await ErrorAsync(client, "get_invoice_payments", new() { ["invoice_id"] = "C9001-INV-099" }));
    }

    [Fact]
    public async Task DataUsage_CoversTheRangeInclusive_FlagsTheSpike_AndRefusesBadDates()
    {
        await using var client = await desk.ConnectAsync();
        var usage = await CallAsync(client, "get_data_usage", new() { ["customer_id"] = "C9004", ["from"] = "2026-10-01", ["to"] = "2026-10-31" });
        Assert.Equal(31, usage.GetProperty("days").GetArrayLength());
        var subscription = Assert.Single(usage.GetProperty("subscriptions").EnumerateArray());
        Assert.Equal(7, subscription.GetProperty("spikeDays").GetArrayLength());
        Assert.Equal(usage.GetProperty("days").EnumerateArray().Sum(d => d.GetProperty("dataGb").GetDecimal()), usage.GetProperty("totalGb").GetDecimal());

        var crossing = await CallAsync(client, "get_data_usage", new() { ["customer_id"] = "C9004", ["from"] = "2026-09-29", ["to"] = "2026-10-02" });
        Assert.Equal(["2026-09-29", "2026-09-30", "2026-10-01", "2026-10-02"], crossing.GetProperty("days").EnumerateArray().Select(d => d.GetProperty("day").GetString()));

        Assert.Contains("is after 'to'", await ErrorAsync(client, "get_data_usage", new() { ["customer_id"] = "C9004", ["from"] = "2026-10-31", ["to"] = "2026-10-01" }));
        Assert.Contains("'from' must be a date written yyyy-MM-dd", await ErrorAsync(client, "get_data_usage", new() { ["customer_id"] = "C9004", ["from"] = "2026-13-01", ["to"] = "2026-10-01" }));
        Assert.Contains("longer than 366 days", await ErrorAsync(client, "get_data_usage", new() { ["customer_id"] = "C9004", ["from"] = "2024-01-01", ["to"] = "2026-10-01" }));
    }

    [Fact]
    public async Task Promotions_ExplainEligibility()
    {
        await using var client = await desk.ConnectAsync();
        var loyal = await CallAsync(client, "get_eligible_promotions", new() { ["customer_id"] = "C9005" });
        Assert.Contains("PROMO-LOYAL10", loyal.GetProperty("eligible").EnumerateArray().Select(o => o.GetProperty("promotion").GetProperty("id").GetString()));
        var late = await CallAsync(client, "get_eligible_promotions", new() { ["customer_id"] = "C9001" });
        var refusal = Assert.Single(late.GetProperty("notEligible").EnumerateArray(), r => r.GetProperty("promotionId").GetString() == "PROMO-LOYAL10");
        Assert.Contains("needs no overdue invoices", refusal.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task Tickets_AreCreatedNumberedAndListed_AndBadInputChangesNothing()
    {
        await using var client = await desk.ConnectAsync();
        var before = (await CallAsync(client, "list_support_tickets", new() { ["customer_id"] = "C9003" })).GetProperty("tickets").GetArrayLength();

        Assert.Contains("'priority' must be one of", await ErrorAsync(client, "create_support_ticket",
            new() { ["customer_id"] = "C9003", ["subject"] = "Router", ["description"] = "Lights off", ["priority"] = "asap" }));
        Assert.Contains("subject", await ErrorAsync(client, "create_support_ticket",
            new() { ["customer_id"] = "C9003", ["subject"] = new string('x', 201), ["description"] = "Too long" }));
        Assert.Contains("'description' must not be empty", await ErrorAsync(client, "create_support_ticket",
            new() { ["customer_id"] = "C9003", ["subject"] = "Router", ["description"] = "   " }));
        Assert.Contains("No customer has the id C9998", await ErrorAsync(client, "create_support_ticket",
            new() { ["customer_id"] = "C9998", ["subject"] = "Router", ["description"] = "Lights off" }));
        Assert.Equal(before, (await CallAsync(client, "list_support_tickets", new() { ["customer_id"] = "C9003" })).GetProperty("tickets").GetArrayLength());

        var created = await CallAsync(client, "create_support_ticket",
            new() { ["customer_id"] = "C9003", ["subject"] = "Router lights off", ["description"] = "No lights since this morning.", ["category"] = "Technical", ["priority"] = "high" });
        Assert.Matches("^C9003-T[0-9]+$", created.GetProperty("id").GetString());
        Assert.Equal("technical", created.GetProperty("category").GetString());
        Assert.Equal("open", created.GetProperty("status").GetString());
        var open = await CallAsync(client, "list_support_tickets", new() { ["customer_id"] = "C9003", ["status"] = "open" });
        Assert.Contains(created.GetProperty("id").GetString(), open.GetProperty("tickets").EnumerateArray().Select(t => t.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task SecurityLogs_AreNewestFirst_AndKnowledgeBaseRanksTheRightArticle()
    {
        await using var client = await desk.ConnectAsync();
        var logs = await CallAsync(client, "get_security_logs", new() { ["customer_id"] = "C9002", ["limit"] = 6 });
        var times = logs.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("at").GetDateTimeOffset()).ToList();
        Assert.Equal(6, times.Count);
        Assert.Equal(times.OrderDescending(), times);
        Assert.True(logs.GetProperty("failedSignIns").GetInt32() >= 4);

        var search = await CallAsync(client, "search_knowledge_base", new() { ["query"] = "account locked after failed sign-in", ["top"] = 3 });
        Assert.Equal("KB-0006", search.GetProperty("results")[0].GetProperty("articleId").GetString());
        Assert.Contains("'query' must not be empty", await ErrorAsync(client, "search_knowledge_base", new() { ["query"] = " " }));
        Assert.Contains("query", await ErrorAsync(client, "search_knowledge_base", new() { ["query"] = new string('q', 501) }));
    }

    [Fact]
    public async Task UpdateSubscription_NeedsTheBillingRole_RefusesNegativeFees_AndIsAudited()
    {
        await using (var plain = await desk.ConnectAsync(roles: ["security"]))
        {
            var refused = await Assert.ThrowsAsync<McpProtocolException>(async () => await plain.CallToolAsync("update_subscription",
                new Dictionary<string, object?> { ["subscription_id"] = "C0001-S1", ["plan"] = "unlimited", ["reason"] = "upsell" }, cancellationToken: Ct));
            Assert.Contains("requires the app role billing", refused.Message);
        }
        var original = (await desk.Repository.GetSubscriptionsAsync("C0001", Ct)).Single(s => s.Id == "C0001-S1");

        await using var billing = await desk.ConnectAsync(roles: ["billing"]);
        Assert.Contains("'monthly_fee' must be between 0 and", await ErrorAsync(billing, "update_subscription",
            new() { ["subscription_id"] = "C0001-S1", ["monthly_fee"] = -5, ["reason"] = "refund" }));
        Assert.Contains("Nothing to change", await ErrorAsync(billing, "update_subscription", new() { ["subscription_id"] = "C0001-S1", ["reason"] = "nothing" }));
        Assert.Equal(original, (await desk.Repository.GetSubscriptionsAsync("C0001", Ct)).Single(s => s.Id == "C0001-S1"));
        Assert.Empty(await desk.Repository.GetAuditEntriesAsync("C0001", Ct));

        var newPlan = original.Plan == "unlimited" ? "basic" : "unlimited";
        var change = await CallAsync(billing, "update_subscription",
            new() { ["subscription_id"] = "C0001-S1", ["plan"] = newPlan, ["auto_renew"] = !original.AutoRenew, ["reason"] = "Customer asked on the phone" });
        Assert.Equal(newPlan, change.GetProperty("after").GetProperty("plan").GetString());
        Assert.Contains(change.GetProperty("changes").EnumerateArray(), c => c.GetString()!.StartsWith("plan ", StringComparison.Ordinal));

        var stored = (await desk.Repository.GetSubscriptionsAsync("C0001", Ct)).Single(s => s.Id == "C0001-S1");
        Assert.Equal(newPlan, stored.Plan);
        Assert.Equal(!original.AutoRenew, stored.AutoRenew);
        var audit = Assert.Single(await desk.Repository.GetAuditEntriesAsync("C0001", Ct));
        Assert.Equal("update_subscription", audit.Action);
        Assert.Contains("agent-oid", audit.Actor);
        Assert.Contains("Customer asked on the phone", audit.Detail);
    }

    [Fact]
    public async Task UnlockAccount_IsRefusedWithoutTheSecurityRole_AndWithItUnlocksLogsAndAudits()
    {
        const string customer = "C9002"; // the one locked account
        const string protocol = "2025-11-25";
        await using (var billing = await desk.ConnectAsync(protocol, roles: ["billing"]))
        {
            var refused = await Assert.ThrowsAsync<McpProtocolException>(async () => await billing.CallToolAsync("unlock_account",
                new Dictionary<string, object?> { ["customer_id"] = customer, ["reason"] = "asked" }, cancellationToken: Ct));
            Assert.Contains("requires the app role security", refused.Message);
            Assert.True((await desk.Repository.GetCustomerAsync(customer, Ct))!.AccountLocked);
        }

        await using var security = await desk.ConnectAsync(protocol, roles: ["security"]);
        var unlocked = await CallAsync(security, "unlock_account", new() { ["customer_id"] = customer, ["reason"] = "Identity verified by call-back" });
        Assert.True(unlocked.GetProperty("unlocked").GetBoolean());
        Assert.False((await desk.Repository.GetCustomerAsync(customer, Ct))!.AccountLocked);
        var newest = (await desk.Repository.GetSecurityLogsAsync(customer, 1, Ct)).Single();
        Assert.Equal("account-unlocked", newest.EventType);
        var audit = Assert.Single(await desk.Repository.GetAuditEntriesAsync(customer, Ct));
        Assert.Equal("unlock_account", audit.Action);
        Assert.Contains("Identity verified by call-back", audit.Detail);

        Assert.Contains("is not locked", await ErrorAsync(security, "unlock_account", new() { ["customer_id"] = customer, ["reason"] = "again" }));
        Assert.Single(await desk.Repository.GetAuditEntriesAsync(customer, Ct));
    }

    [Theory]
    [InlineData("2026-07-28")]
    [InlineData("2025-11-25")]
    public async Task TroubleShootDevice_ReportsTenSteps_AndFindsTheIncident(string protocol)
    {
        await using var client = await desk.ConnectAsync(protocol);
        var steps = new SortedList<double, string>();
        await using var _ = client.RegisterNotificationHandler(NotificationMethods.ProgressNotification, (notification, _) =>
        {
            lock (steps)
            {
                steps.Add(notification.Params!["progress"]!.GetValue<double>(), notification.Params!["message"]!.GetValue<string>());
            }
            return default;
        });
        var result = await client.CallToolAsync("trouble_shoot_device", new Dictionary<string, object?> { ["subscription_id"] = "C9003-S1", ["symptom"] = "slow internet" },
            new Progress<ProgressNotificationValue>(), cancellationToken: Ct);

        var report = result.StructuredContent!.Value;
        Assert.Equal(10, report.GetProperty("steps").GetArrayLength());
        Assert.Contains(report.GetProperty("findings").EnumerateArray(), f => f.GetString()!.Contains("INC-2026-041"));
        Assert.NotEqual(0, report.GetProperty("articles").GetArrayLength());
        await Eventually.TrueAsync(() => { lock (steps) { return steps.Count == 10; } });
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (double)i), steps.Keys);
        Assert.StartsWith("step 1/10", steps.Values[0]);
    }

    [Fact]
    public async Task TroubleShootDevice_StopsWhenTheStatelessClientCancels()
    {
        using var outcomes = new TroubleshootOutcomes(desk);
        await using var client = await desk.ConnectAsync("2026-07-28");
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var count = 0;
        await using var _ = client.RegisterNotificationHandler(NotificationMethods.ProgressNotification, (_, _) =>
        {
            if (Interlocked.Increment(ref count) == 2)
            {
                cancel.Cancel();
            }
            return default;
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await client.CallToolAsync("trouble_shoot_device",
            new Dictionary<string, object?> { ["subscription_id"] = "C9004-S1" }, new Progress<ProgressNotificationValue>(), cancellationToken: cancel.Token));
        await outcomes.AssertOnlyCancelledAsync();
    }

    [Fact]
    public async Task TroubleShootDevice_StopsOnNotificationsCancelled_InASession()
    {
        using var outcomes = new TroubleshootOutcomes(desk);
        var http = desk.Server.CreateClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", desk.Issuer.Mint(subject: "agent-oid"));
        using var initialized = await http.SendAsync(McpHttp.Initialize(), Ct);
        var sessionId = initialized.Headers.GetValues("Mcp-Session-Id").Single();
        (await http.SendAsync(McpHttp.SessionRequest(sessionId, "notifications/initialized"), Ct)).Dispose();

        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var call = http.SendAsync(McpHttp.SessionRequest(sessionId, "tools/call", new JsonObject
        {
            ["name"] = "trouble_shoot_device",
            ["arguments"] = new JsonObject { ["subscription_id"] = "C9004-S1" },
        }, id: 41), HttpCompletionOption.ResponseHeadersRead, stopReading.Token);
        await Task.Delay(120, Ct); // two or three of the ten 50 ms steps
        using var cancelled = await http.SendAsync(McpHttp.SessionRequest(sessionId, "notifications/cancelled",
            new JsonObject { ["requestId"] = 41, ["reason"] = "agent gave up" }), Ct);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, cancelled.StatusCode);

        await outcomes.AssertOnlyCancelledAsync();
        // A cancelled request gets no response (the protocol says so); its stream is left for the client to close.
        (await call).Dispose();
        await stopReading.CancelAsync();
    }

    /// <summary>What this server did with trouble_shoot_device calls, from its own tool-call counter.</summary>
    private sealed class TroubleshootOutcomes : IDisposable
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _outcomes = new();
        private readonly MeterListener _listener = new();

        public TroubleshootOutcomes(SupportServerFixture desk)
        {
            var counter = ((PrynaiTelemetry)desk.Server.Services.GetService(typeof(PrynaiTelemetry))!).ToolCalls;
            _listener.InstrumentPublished = (instrument, meters) =>
            {
                if (ReferenceEquals(instrument, counter))
                {
                    meters.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
            {
                var values = tags.ToArray().ToDictionary(tag => tag.Key, tag => tag.Value as string);
                if (values.GetValueOrDefault("gen_ai.tool.name") == "trouble_shoot_device")
                {
                    _outcomes.Enqueue(values.GetValueOrDefault("outcome") ?? "");
                }
            });
            _listener.Start();
        }

        public async Task AssertOnlyCancelledAsync()
        {
            await Eventually.TrueAsync(() => !_outcomes.IsEmpty, because: "the server records every tool call's outcome");
            await Task.Delay(800, Ct); // sixteen step delays: a diagnosis still running would have completed by now
            Assert.Equal(["cancelled"], _outcomes);
        }

        public void Dispose() => _listener.Dispose();
    }

    [Theory]
    [InlineData("2026-07-28")]
    [InlineData("2025-11-25")]
    public async Task Experts_AskTheClientsModel_WithTheGatheredFacts(string protocol)
    {
        await using var client = await desk.ConnectAsync(protocol, sampling: true);
        var answer = await CallAsync(client, "ask_billing_expert", new() { ["question"] = "Why is this customer's balance so high?", ["customer_id"] = "C9001" });
        Assert.Equal("client-llm", answer.GetProperty("source").GetString());
        Assert.StartsWith("MOCK:Question: Why is this customer", answer.GetProperty("answer").GetString());
        Assert.Equal("prynai-mock", answer.GetProperty("model").GetString());
        Assert.Equal("C9001", answer.GetProperty("facts").GetProperty("customer").GetProperty("id").GetString());
        Assert.True(answer.GetProperty("facts").GetProperty("balanceDue").GetDecimal() > 0);
    }

    [Fact]
    public async Task Experts_WithoutSampling_ReturnTheFactsAsAStructuredAnswer()
    {
        await using var client = await desk.ConnectAsync(sampling: false);
        var billing = await CallAsync(client, "ask_billing_expert", new() { ["question"] = "What is overdue?", ["customer_id"] = "C9001" });
        Assert.Equal("facts", billing.GetProperty("source").GetString());
        Assert.Contains("Overdue: C9001-INV-", billing.GetProperty("answer").GetString());
        Assert.NotEqual(0, billing.GetProperty("facts").GetProperty("invoices").GetArrayLength());

        var product = await CallAsync(client, "ask_product_expert", new() { ["question"] = "Why is my internet slow?", ["customer_id"] = "C9003" });
        Assert.Contains("INC-2026-041", product.GetProperty("answer").GetString());
        Assert.False(product.GetProperty("facts").TryGetProperty("securityLogs", out var logs) && logs.ValueKind != JsonValueKind.Null);

        var account = await CallAsync(client, "ask_account_expert", new() { ["question"] = "Can they sign in?", ["customer_id"] = "C9001" });
        Assert.NotEqual(0, account.GetProperty("facts").GetProperty("securityLogs").GetArrayLength());

        Assert.Contains("No customer has the id C9990", await ErrorAsync(client, "ask_account_expert", new() { ["question"] = "Hi", ["customer_id"] = "C9990" }));
        Assert.Contains("question", await ErrorAsync(client, "ask_account_expert", new() { ["question"] = new string('q', 2001), ["customer_id"] = "C9001" }));
    }

    [Fact]
    public async Task Resources_CustomerSummaryAndKnowledgeArticles()
    {
        await using var client = await desk.ConnectAsync();
        var templates = (await client.ListResourceTemplatesAsync(cancellationToken: Ct)).Select(t => t.UriTemplate).ToList();
        Assert.Contains("customer://{id}", templates);
        Assert.Contains("kb://{article_id}", templates);

        using var customer = JsonDocument.Parse(await ReadAsync(client, "customer://C9005"));
        Assert.Equal("platinum", customer.RootElement.GetProperty("customer").GetProperty("loyaltyLevel").GetString());
        Assert.StartsWith("# Unlocking a locked account", await ReadAsync(client, "kb://KB-0006"));

        // On 2026-07-28 a missing resource is an HTTP 400 (invalid params); a session revision carries the JSON-RPC error.
        await using var session = await desk.ConnectAsync("2025-11-25");
        foreach (var missing in new[] { "customer://C9999", "kb://KB-9999", "kb://nonsense" })
        {
            var error = await Assert.ThrowsAsync<McpProtocolException>(async () => await session.ReadResourceAsync(missing, cancellationToken: Ct));
            Assert.Equal(McpErrorCode.ResourceNotFound, error.ErrorCode);
            Assert.Contains($"Resource not found: {missing}", error.Message);
        }
    }

    internal static async Task<JsonElement> CallAsync(McpClient client, string tool, Dictionary<string, object?> arguments)
    {
        var result = await client.CallToolAsync(tool, arguments, cancellationToken: Ct);
        Assert.False(result.IsError == true, string.Concat(result.Content.OfType<TextContentBlock>().Select(b => b.Text)));
        return result.StructuredContent!.Value;
    }

    internal static async Task<string> ErrorAsync(McpClient client, string tool, Dictionary<string, object?> arguments)
    {
        var result = await client.CallToolAsync(tool, arguments, cancellationToken: Ct);
        Assert.True(result.IsError, $"{tool} should have failed");
        return string.Concat(result.Content.OfType<TextContentBlock>().Select(b => b.Text));
    }

    private static async Task<string> ReadAsync(McpClient client, string uri) =>
        ((TextResourceContents)(await client.ReadResourceAsync(uri, cancellationToken: Ct)).Contents[0]).Text;
}

public sealed class SqliteSupportToolTests(SupportServerFixture desk) : SupportToolContract(desk), IClassFixture<SupportServerFixture>;

public sealed class CosmosSupportToolTests(CosmosSupportServerFixture desk) : SupportToolContract(desk), IClassFixture<CosmosSupportServerFixture>;

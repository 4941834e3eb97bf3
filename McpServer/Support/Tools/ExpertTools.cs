using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Prynai.McpServer.Support.Data;
using Prynai.McpServer.Tools;
using ProtocolServer = ModelContextProtocol.Server.McpServer;

namespace Prynai.McpServer.Support.Tools;

// Sampling is deprecated by protocol 2026-07-28 (MCP9005) in favour of input-required results, which these tools
// also use; the older revisions they serve still sample through server-initiated requests.
#pragma warning disable MCP9005

/// <summary>
/// ask_billing_expert, ask_account_expert, ask_product_expert: gather the customer's relevant records with the same
/// queries the tools use, then ask the caller's own model to answer from them (an input-required result on
/// 2026-07-28, a sampling request on sessions). A client that cannot sample gets the facts and a plain summary.
/// No model service is called.
/// </summary>
[McpServerToolType]
public sealed class ExpertTools
{
    public const int MaxQuestionLength = 2000;
    private const string AnswerKey = "expert_answer";

    [McpServerTool(Name = "ask_billing_expert", Title = "Ask the billing expert", ReadOnly = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Answers a billing question about a customer (invoices, payments, balance, discounts) from their records, using your model through sampling; without sampling, returns the gathered facts.")]
    public static Task<ExpertAnswer> AskBillingExpert(ProtocolServer server, RequestContext<CallToolRequestParams> context, SupportDesk desk, KnowledgeBaseIndex knowledgeBase,
        IOptions<SupportOptions> options,
        [Description("The question, in words (at most 2,000 characters)."), MaxLength(MaxQuestionLength)] string question,
        [Description("Customer id, e.g. C0042."), MaxLength(CustomerTools.MaxIdLength)] string customer_id,
        CancellationToken cancellationToken = default) =>
        AskAsync("billing", server, context, desk, knowledgeBase, options.Value, question, customer_id, async (customer, facts) =>
        {
            var invoices = await desk.Repository.GetInvoicesAsync(customer.Id, cancellationToken);
            var payments = await desk.Repository.GetPaymentsAsync(customer.Id, cancellationToken);
            var subscriptions = await desk.Repository.GetSubscriptionsAsync(customer.Id, cancellationToken);
            var promotions = PromotionRules.Evaluate(customer, subscriptions, invoices, await desk.Repository.GetPromotionsAsync(cancellationToken), desk.Today);
            return facts with
            {
                Subscriptions = subscriptions,
                Invoices = invoices,
                Payments = payments,
                BalanceDue = SupportDesk.BalanceDue(invoices, payments),
                EligiblePromotions = promotions.Eligible,
            };
        }, cancellationToken);

    [McpServerTool(Name = "ask_account_expert", Title = "Ask the account expert", ReadOnly = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Answers an account or security question about a customer (sign-ins, lockouts, tickets) from their records, using your model through sampling; without sampling, returns the gathered facts.")]
    public static Task<ExpertAnswer> AskAccountExpert(ProtocolServer server, RequestContext<CallToolRequestParams> context, SupportDesk desk, KnowledgeBaseIndex knowledgeBase,
        IOptions<SupportOptions> options,
        [Description("The question, in words (at most 2,000 characters)."), MaxLength(MaxQuestionLength)] string question,
        [Description("Customer id, e.g. C0042."), MaxLength(CustomerTools.MaxIdLength)] string customer_id,
        CancellationToken cancellationToken = default) =>
        AskAsync("account", server, context, desk, knowledgeBase, options.Value, question, customer_id, async (customer, facts) => facts with
        {
            SecurityLogs = await desk.Repository.GetSecurityLogsAsync(customer.Id, 20, cancellationToken),
            Tickets = await desk.Repository.GetTicketsAsync(customer.Id, cancellationToken),
        }, cancellationToken);

    [McpServerTool(Name = "ask_product_expert", Title = "Ask the product expert", ReadOnly = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Answers a product question about a customer (plans, usage, incidents, promotions) from their records, using your model through sampling; without sampling, returns the gathered facts.")]
    public static Task<ExpertAnswer> AskProductExpert(ProtocolServer server, RequestContext<CallToolRequestParams> context, SupportDesk desk, KnowledgeBaseIndex knowledgeBase,
        IOptions<SupportOptions> options,
        [Description("The question, in words (at most 2,000 characters)."), MaxLength(MaxQuestionLength)] string question,
        [Description("Customer id, e.g. C0042."), MaxLength(CustomerTools.MaxIdLength)] string customer_id,
        CancellationToken cancellationToken = default) =>
        AskAsync("product", server, context, desk, knowledgeBase, options.Value, question, customer_id, async (customer, facts) =>
        {
            var subscriptions = await desk.Repository.GetSubscriptionsAsync(customer.Id, cancellationToken);
            var invoices = await desk.Repository.GetInvoicesAsync(customer.Id, cancellationToken);
            var (from, to, usage) = await desk.RecentUsageAsync(customer.Id, cancellationToken);
            var incidents = (await desk.Repository.GetIncidentsAsync(cancellationToken)).Where(i => subscriptions.Any(s => CustomerTools.Affects(i, s))).ToList();
            var promotions = PromotionRules.Evaluate(customer, subscriptions, invoices, await desk.Repository.GetPromotionsAsync(cancellationToken), desk.Today);
            return facts with
            {
                Subscriptions = subscriptions,
                Usage = UsageAnalysis.Summarize(customer.Id, from, to, subscriptions, usage, includeDays: false).Subscriptions,
                Incidents = incidents,
                EligiblePromotions = promotions.Eligible,
            };
        }, cancellationToken);

    private static async Task<ExpertAnswer> AskAsync(string expert, ProtocolServer server, RequestContext<CallToolRequestParams> context, SupportDesk desk,
        KnowledgeBaseIndex knowledgeBase, SupportOptions options, string question, string customerId, Func<Customer, ExpertFacts, Task<ExpertFacts>> gather,
        CancellationToken cancellationToken)
    {
        var asked = SupportDesk.Text(question, "question", MaxQuestionLength);
        var customer = await desk.RequireCustomerAsync(customerId, cancellationToken);
        var facts = await gather(customer, new ExpertFacts(customer) { Articles = await knowledgeBase.SearchAsync(asked, 3, cancellationToken) });

        if (context.Params?.InputResponses is { } responses && responses.TryGetValue(AnswerKey, out var response))
        {
            var answer = response.Deserialize(InputResponse.CreateMessageResultJsonTypeInfo);
            var text = string.Concat(answer?.Content?.OfType<TextContentBlock>().Select(block => block.Text) ?? []);
            return new ExpertAnswer(expert, customer.Id, asked, text, "client-llm", answer?.Model, facts);
        }
        if (!SamplingTools.CanSample(server))
        {
            return new ExpertAnswer(expert, customer.Id, asked, ExpertBriefing.Summarize(expert, facts), "facts", null, facts);
        }

        throw new InputRequiredException(
            new Dictionary<string, InputRequest>
            {
                [AnswerKey] = InputRequest.ForSampling(new CreateMessageRequestParams
                {
                    SystemPrompt = $"You are Contoso's {expert} support expert. Answer the agent's question about customer {customer.Id} " +
                                   "using only the facts given. Say so when the facts do not answer it. Be brief and cite record ids.",
                    Messages =
                    [
                        new SamplingMessage
                        {
                            Role = Role.User,
                            Content = [new TextContentBlock { Text = $"Question: {asked}\n\nFacts (JSON):\n{JsonSerializer.Serialize(facts, SupportJson.Options)}" }],
                        },
                    ],
                    MaxTokens = options.ExpertMaxTokens,
                }),
            },
            requestState: null);
    }
}

/// <summary>The outcome of an expert tool.</summary>
public sealed record ExpertAnswer(
    [property: Description("billing, account or product.")] string Expert,
    [property: Description("The customer's id.")] string CustomerId,
    [property: Description("The question as asked.")] string Question,
    [property: Description("The answer: the client's model's, or a summary of the facts when it could not sample.")] string Answer,
    [property: Description("\"client-llm\" when the client's model answered, \"facts\" otherwise.")] string Source,
    [property: Description("The model the client reported; absent when the answer is not the model's.")] string? Model,
    [property: Description("The records the answer is based on.")] ExpertFacts Facts);

/// <summary>The records an expert gathered; sections an expert does not use are null.</summary>
public sealed record ExpertFacts([property: Description("The customer.")] Customer Customer)
{
    [Description("Subscriptions.")] public IReadOnlyList<Subscription>? Subscriptions { get; init; }
    [Description("Invoices, oldest first.")] public IReadOnlyList<Invoice>? Invoices { get; init; }
    [Description("Payments, oldest first.")] public IReadOnlyList<Payment>? Payments { get; init; }
    [Description("Unpaid amount in USD.")] public decimal? BalanceDue { get; init; }
    [Description("Promotions the customer qualifies for.")] public IReadOnlyList<PromotionOffer>? EligiblePromotions { get; init; }
    [Description("Recent usage per subscription.")] public IReadOnlyList<SubscriptionUsage>? Usage { get; init; }
    [Description("Incidents affecting the customer's subscriptions.")] public IReadOnlyList<Incident>? Incidents { get; init; }
    [Description("Recent security events, newest first.")] public IReadOnlyList<SecurityLogEntry>? SecurityLogs { get; init; }
    [Description("Support tickets.")] public IReadOnlyList<SupportTicket>? Tickets { get; init; }
    [Description("Knowledge-base articles matching the question.")] public IReadOnlyList<KnowledgeHit> Articles { get; init; } = [];
}

/// <summary>The plain-text answer for clients that cannot sample: the facts that matter, one sentence each.</summary>
internal static class ExpertBriefing
{
    public static string Summarize(string expert, ExpertFacts facts)
    {
        var c = facts.Customer;
        var lines = new List<string> { $"Facts for {c.Id} ({c.Name}, {c.LoyaltyLevel}, customer since {c.JoinedOn:yyyy-MM-dd}); no model was available to answer in words." };
        if (facts.BalanceDue is { } balance)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"Balance due: {balance:0.00} USD."));
        }
        if (facts.Invoices?.Where(i => i.Status == "overdue").ToList() is { Count: > 0 } overdue)
        {
            lines.Add("Overdue: " + string.Join(", ", overdue.Select(i => string.Create(CultureInfo.InvariantCulture, $"{i.Id} ({i.Amount:0.00} USD, due {i.DueOn:yyyy-MM-dd})"))) + ".");
        }
        if (expert == "account")
        {
            lines.Add(c.AccountLocked ? "The online account is locked." : "The online account is not locked.");
            var failed = facts.SecurityLogs?.Count(e => e.EventType == "sign-in-failed") ?? 0;
            if (failed > 0)
            {
                lines.Add($"{failed} failed sign-in(s) among the recent security events.");
            }
            if (facts.Tickets?.Count(t => t.Status != "closed") is > 0 and var open)
            {
                lines.Add($"{open} open ticket(s).");
            }
        }
        if (facts.Incidents?.Where(i => i.ResolvedAt is null).ToList() is { Count: > 0 } ongoing)
        {
            lines.Add("Ongoing incident: " + string.Join("; ", ongoing.Select(i => $"{i.Id} {i.Summary}")));
        }
        if (facts.Usage?.Where(u => u.SpikeDays.Count > 0).ToList() is { Count: > 0 } spiking)
        {
            lines.Add("Usage spike: " + string.Join("; ", spiking.Select(u => $"{u.SubscriptionId} on {u.SpikeDays.Count} day(s), peak {u.PeakGb} GB on {u.PeakDay:yyyy-MM-dd}")) + ".");
        }
        if (facts.EligiblePromotions is { Count: > 0 } offers)
        {
            lines.Add("Eligible promotions: " + string.Join(", ", offers.Select(o => $"{o.Promotion.Id} ({o.Promotion.Name})")) + ".");
        }
        if (facts.Articles.Count > 0)
        {
            lines.Add("Related articles: " + string.Join(", ", facts.Articles.Select(a => $"{a.ArticleId} \"{a.Title}\"")) + ".");
        }
        return string.Join(" ", lines);
    }
}

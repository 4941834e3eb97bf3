using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Prynai.McpServer.Support.Data;
using Prynai.McpServer.Tasks;
using Prynai.McpServer.Tools;
using ProtocolServer = ModelContextProtocol.Server.McpServer;

namespace Prynai.McpServer.Support.Tools;

/// <summary>
/// trouble_shoot_device: a long-running diagnosis with a progress notification per step; cancellable; a task for
/// clients that declare io.modelcontextprotocol/tasks. It can also restart the device, after asking the user to confirm.
/// </summary>
[McpServerToolType]
public sealed class TroubleshootTools
{
    public const int Steps = 10;
    public const string RestartConfirmationKey = "restart_confirmation";

    [McpServerTool(Name = "trouble_shoot_device", Title = "Troubleshoot device", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Runs a ten-step remote diagnosis of a subscription's device and service (about 45 seconds), reporting progress per step. " +
                 "Send a progress token to follow it; cancel the request to stop it. Clients that support the tasks extension get a task to poll. " +
                 "With restart_device, the device is also restarted remotely after the diagnosis, once the user confirms.")]
    [RunsAsTask]
    public static async Task<TroubleshootReport> TroubleShootDevice(
        SupportDesk desk,
        KnowledgeBaseIndex knowledgeBase,
        RequestContext<CallToolRequestParams> request,
        ProtocolServer server,
        IOptions<SupportOptions> options,
        [Description("Subscription id of the device's service, e.g. C0042-S1."), MaxLength(CustomerTools.MaxIdLength)] string subscription_id,
        [Description("What the customer sees, in words (optional, at most 500 characters)."), MaxLength(CustomerTools.MaxQueryLength)] string? symptom = null,
        [Description("Also restart the device remotely after the diagnosis. The user is asked to confirm first (inside a task, the task waits for the answer).")] bool restart_device = false,
        CancellationToken cancellationToken = default)
    {
        var (customer, subscription) = await desk.RequireSubscriptionAsync(subscription_id, cancellationToken);
        var described = symptom is null ? null : SupportDesk.Text(symptom, "symptom", CustomerTools.MaxQueryLength);
        var restart = restart_device ? RestartDecision(request, server, subscription.Id) : null;
        var invoices = await desk.Repository.GetInvoicesAsync(customer.Id, cancellationToken);
        var incidents = (await desk.Repository.GetIncidentsAsync(cancellationToken)).Where(i => i.ResolvedAt is null && CustomerTools.Affects(i, subscription)).ToList();
        var (from, to, usage) = await desk.RecentUsageAsync(customer.Id, cancellationToken);
        var spikes = UsageAnalysis.Summarize(customer.Id, from, to, [subscription], usage, includeDays: false).Subscriptions[0].SpikeDays;

        var findings = new List<string>();
        var checks = new (string Name, Func<string> Run)[]
        {
            ("Account status", () => Note(customer.AccountLocked, "the online account is locked", "account active")),
            ("Subscription status", () => Note(subscription.Status != "active", $"the subscription is {subscription.Status}", "subscription active")),
            ("Billing standing", () => Note(invoices.Any(i => i.Status == "overdue"), "an invoice is overdue; service may be restricted", "no overdue invoices")),
            ("Service incidents", () => Note(incidents.Count > 0, $"ongoing incident {string.Join(", ", incidents.Select(i => i.Id))} affects {subscription.Product} in {subscription.Region}", "no incident in the region")),
            ("Device reachability", () => incidents.Count > 0 ? "device reachable, degraded link" : "device reachable"),
            ("Signal and line quality", () => incidents.Count > 0 ? "line quality below normal" : "line quality normal"),
            ("Firmware", () => "firmware up to date"),
            ("Recent usage", () => Note(spikes.Count > 0, $"usage spike on {spikes.Count} day(s) since {spikes.FirstOrDefault():yyyy-MM-dd}", "usage normal")),
            ("Speed test", () => incidents.Count > 0 ? "speed below plan" : "speed as expected"),
            ("Report", () => findings.Count == 0 ? "no fault found" : $"{findings.Count} finding(s)"),
        };

        if (restart is not null)
        {
            checks = [.. checks, ("Remote restart", () => restart)];
        }
        var steps = new List<TroubleshootStep>();
        for (var step = 1; step <= checks.Length; step++)
        {
            await Task.Delay(options.Value.TroubleshootStepDelay, cancellationToken);
            var outcome = checks[step - 1].Run();
            steps.Add(new TroubleshootStep(step, checks[step - 1].Name, outcome));
            await request.ReportProgressAsync(step, checks.Length, $"step {step}/{checks.Length}: {checks[step - 1].Name}", cancellationToken);
        }

        var query = string.Join(' ', new[] { described, subscription.Product.Replace('-', ' '), incidents.Count > 0 ? "incident slow" : null, spikes.Count > 0 ? "high data usage" : null }.OfType<string>());
        var articles = await knowledgeBase.SearchAsync(query, 3, cancellationToken);
        var recommendation = incidents.Count > 0 ? "Tell the customer about the ongoing incident; service recovers when it is resolved, and a credit follows if it lasts over 24 hours."
            : customer.AccountLocked ? "Verify the customer's identity and have the security team unlock the account."
            : invoices.Any(i => i.Status == "overdue") ? "Settle the overdue invoice to lift any restriction."
            : spikes.Count > 0 ? "Review the usage spike with the customer (streaming quality, backups) and consider a larger plan."
            : "No fault found: restart the device and open a ticket if the problem continues.";
        return new TroubleshootReport(customer.Id, subscription.Id, described, steps, findings, recommendation, articles, restart);

        string Note(bool problem, string finding, string fine)
        {
            if (problem)
            {
                findings.Add(finding);
            }
            return problem ? finding : fine;
        }
    }

    /// <summary>
    /// The user's answer to "restart the device?", asked before any work so that no step runs twice: as an
    /// input-required result (inside a task: input_required until tasks/update answers; on a session: an elicitation
    /// request). A client that cannot ask its user gets no restart.
    /// </summary>
    private static string RestartDecision(RequestContext<CallToolRequestParams> request, ProtocolServer server, string subscriptionId)
    {
        if (request.Params?.InputResponses is { } responses && responses.TryGetValue(RestartConfirmationKey, out var response))
        {
            var answer = response.Deserialize(InputResponse.ElicitResultJsonTypeInfo);
            return answer?.Action == "accept" && answer.Content?.TryGetValue("confirm", out var confirm) == true && confirm.ValueKind == System.Text.Json.JsonValueKind.True
                ? "device restarted; it is back online"
                : "restart declined by the user";
        }
        if (server.ClientCapabilities?.Elicitation is null)
        {
            return "restart skipped: the client cannot ask its user to confirm (no elicitation capability)";
        }
        throw new InputRequiredException(new Dictionary<string, InputRequest>
        {
            [RestartConfirmationKey] = InputRequest.ForElicitation(new ElicitRequestParams
            {
                Mode = "form",
                Message = $"Restart the device of subscription {subscriptionId} after the diagnosis? Its service drops for about two minutes.",
                RequestedSchema = new ElicitRequestParams.RequestSchema
                {
                    Properties = new Dictionary<string, ElicitRequestParams.PrimitiveSchemaDefinition> { ["confirm"] = new ElicitRequestParams.BooleanSchema() },
                    Required = ["confirm"],
                },
            }),
        }, requestState: null);
    }
}

/// <summary>The outcome of trouble_shoot_device.</summary>
public sealed record TroubleshootReport(
    [property: Description("The customer's id.")] string CustomerId,
    [property: Description("The diagnosed subscription.")] string SubscriptionId,
    [property: Description("The symptom given, if any.")] string? Symptom,
    [property: Description("Each step and what it found.")] IReadOnlyList<TroubleshootStep> Steps,
    [property: Description("The problems found.")] IReadOnlyList<string> Findings,
    [property: Description("What to do next.")] string Recommendation,
    [property: Description("Knowledge-base articles that may help.")] IReadOnlyList<KnowledgeHit> Articles,
    [property: Description("What happened to the requested restart; absent when none was requested.")] string? Restart = null);

public sealed record TroubleshootStep(
    [property: Description("Step number, 1-10 (11 with a restart).")] int Step,
    [property: Description("What was checked.")] string Check,
    [property: Description("What it found.")] string Outcome);

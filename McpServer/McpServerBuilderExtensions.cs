using Microsoft.Extensions.DependencyInjection.Extensions;
using ModelContextProtocol.Protocol;
using Prynai.McpServer.Notifications;
using Prynai.McpServer.Prompts;
using Prynai.McpServer.Resources;
using Prynai.McpServer.Revisions;
using Prynai.McpServer.Security;
using Prynai.McpServer.Support;
using Prynai.McpServer.Tasks;
using Prynai.McpServer.Telemetry;
using Prynai.McpServer.Tools;
using Prynai.McpServer.Transport;
using Prynai.McpServer.Transport.Sessions;

namespace Prynai.McpServer;

public static class McpServerBuilderExtensions
{
    public const string Instructions =
        "Prynai MCP server: arithmetic (add, multiply, divide), echo, progress demos (long_task, slow_square), " +
        "a shared counter (bump_counter, set_counter; resource prynai://counter is subscribable), and " +
        "summarize_via_client_llm, which asks your own model through sampling. " +
        "Contoso support desk: customers (C0001…, scenario customers C9001-C9005), subscriptions, invoices, usage, promotions, " +
        "tickets, security logs, a searchable knowledge base, trouble_shoot_device, role-restricted update_subscription (billing) " +
        "and unlock_account (security), and ask_*_expert tools that answer with your model from the records.";

    /// <summary>
    /// The MCP surface — server info, capabilities, the tools, resources and prompts, completions and the handlers of
    /// subscriptions — and its options. Transport-neutral: HTTP and stdio both use it, each with its own transport
    /// (<c>AddPrynaiHttpTransport</c>, <c>StdioHost</c>) and <c>AddPrynaiNotifications</c>.
    /// </summary>
    public static IMcpServerBuilder AddPrynaiMcp(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ToolOptions>().BindConfiguration(ToolOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<ServerInfoOptions>().BindConfiguration(ServerInfoOptions.SectionName);
        builder.AddPrynaiRevisions();
        builder.Services.AddSingleton<ServerDescription>();
        builder.Services.AddSingleton<ServerOptionsOnDemand>();
        builder.Services.TryAddSingleton<PrynaiTelemetry>();
        builder.Services.AddHostedService<LiveGauges>();
        builder.Services.AddSingleton<ICompletionSource, SummaryPromptCompletions>();
        builder.Services.AddAuthorizationCore();
        ExpectedOutcomeLoggerFactory.Register(builder.Services);

        // The SDK logs every request at Information ("request handler completed") — per-call noise that costs
        // throughput, and traces carry it better — so unless configured (Logging:LogLevel:ModelContextProtocol, else
        // Default) it logs from Warning up. Its Debug and Trace logs carry whole JSON-RPC messages, tool arguments
        // included: those stay out unless Telemetry:LogToolArguments opts in, whatever the configured level says.
        var sdkLevel = builder.Configuration.GetValue<LogLevel?>("Logging:LogLevel:ModelContextProtocol")
            ?? builder.Configuration.GetValue<LogLevel?>("Logging:LogLevel:Default")
            ?? LogLevel.Warning;
        if (!builder.Configuration.GetValue<bool>("Telemetry:LogToolArguments") && sdkLevel < LogLevel.Information)
        {
            sdkLevel = LogLevel.Information;
        }
        builder.Logging.AddFilter("ModelContextProtocol", sdkLevel);

        builder.Services.Configure<ModelContextProtocol.Server.McpServerOptions>(SessionLogLevel.RememberChoices);
        builder.Services.PostConfigure<ModelContextProtocol.Server.McpServerOptions>(PortableToolSchemas.Apply);
        var mcp = builder.Services.AddMcpServer(options =>
            {
                options.ServerInfo = new Implementation { Name = "prynai-mcp", Title = "Prynai MCP", Version = ServerDescription.Version };
                options.ServerInstructions = Instructions;
                options.Capabilities = new ServerCapabilities
                {
                    Resources = new ResourcesCapability { Subscribe = true, ListChanged = true },
                    Tools = new ToolsCapability { ListChanged = true },
                    Prompts = new PromptsCapability { ListChanged = true },
                    Completions = new CompletionsCapability(),
                };
            });
        mcp.WithTools<ArithmeticTools>()
            .WithTools<EchoTools>()
            .WithTools<ProgressTools>()
            .WithTools<SamplingTools>()
            .WithTools<CounterTools>()
            .WithTools<CounterAdminTools>()
            .WithResources<PrynaiResources>()
            .WithPrompts<SummaryPrompts>()
            .AddSupportDesk(builder)
            .AddTasks(builder)
            .WithCompleteHandler(Completions.CompleteAsync)
            .WithSubscribeToResourcesHandler((request, ct) => request.Services!.GetRequiredService<ResourceSubscriptionHandlers>().SubscribeAsync(request, ct))
            .WithUnsubscribeFromResourcesHandler((request, ct) => request.Services!.GetRequiredService<ResourceSubscriptionHandlers>().UnsubscribeAsync(request, ct))
            .WithSubscriptionsListenHandler((request, ct) => request.Services!.GetRequiredService<ListenSubscriptions>().ListenAsync(request, ct))
            .AddPrimitiveAuthorization()
            .WithMessageFilters(filters => filters.AddIncomingFilter(McpSpanEnrichment.Enrich))
            .WithRequestFilters(filters => filters
                .AddCallToolFilter(ToolCallFilter.Create)
                .AddReadResourceFilter(ResourceNotFoundFilter.Create)
                .AddReadResourceFilter(StoreOutageFilter.Create));
        return mcp;
    }
}

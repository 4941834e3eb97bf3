// The SDK's extension points for custom methods and alternate tool results are marked for evaluation (MCPEXP002).
#pragma warning disable MCPEXP002

using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Prynai.McpServer.State;
using Prynai.McpServer.State.Stores;
using Prynai.McpServer.Tasks.Stores;
using Prynai.McpServer.Transport;
using StackExchange.Redis;

namespace Prynai.McpServer.Tasks;

public static class TasksServiceCollectionExtensions
{
    /// <summary>
    /// The tasks extension (io.modelcontextprotocol/tasks, SEP-2663) on 2026-07-28: tools marked [RunsAsTask] answer
    /// declaring clients with a task kept in the configured store (SQLite, Redis, Cosmos DB), which any replica can
    /// serve through tasks/get, tasks/update and tasks/cancel. Off when <c>Tasks:Enabled</c> is false.
    /// </summary>
    public static IMcpServerBuilder AddTasks(this IMcpServerBuilder mcp, IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<TaskOptions>().BindConfiguration(TaskOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<TaskOptions>, TaskOptionsValidator>();
        if (!builder.Configuration.GetValue($"{TaskOptions.SectionName}:{nameof(TaskOptions.Enabled)}", true))
        {
            return mcp;
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ITaskStore>(provider => new AnnouncingTaskStore(CreateStore(provider), provider.GetRequiredService<IStateStore>(),
            provider.GetRequiredService<ILogger<AnnouncingTaskStore>>()));
        services.AddSingleton<TaskNotifications>();
        services.AddSingleton<TaskRunner>();
        services.AddSingleton<TaskCallFilter>();
        services.AddSingleton<TaskMethods>();
        services.AddHostedService<TaskSupervisor>();

        services.AddSingleton<IConfigureOptions<McpServerOptions>, TaskServerOptions>();
        return mcp;
    }

    /// <summary>
    /// Adds the extension to the SDK's server options: the capability, the tasks/* methods and the tool-call filter,
    /// which hold their singletons directly (no service lookup on each of the many tool calls that are not tasks).
    /// Registered after AddMcpServer's own configuration, so it runs after it.
    /// </summary>
    private sealed class TaskServerOptions(TaskCallFilter filter, TaskMethods methods) : IConfigureOptions<McpServerOptions>
    {
        public void Configure(McpServerOptions options)
        {
            options.Capabilities ??= new ServerCapabilities();
            options.Capabilities.Extensions ??= new Dictionary<string, object>();
            options.Capabilities.Extensions[TaskProtocol.ExtensionId] = new JsonObject();

            options.RequestHandlers ??= [];
            options.RequestHandlers.Add(Method(TaskProtocol.Get, methods.GetAsync));
            options.RequestHandlers.Add(Method(TaskProtocol.Update, methods.UpdateAsync));
            options.RequestHandlers.Add(Method(TaskProtocol.Cancel, methods.CancelAsync));
            options.Filters.Request.CallToolWithAlternateFilters.Add(filter.InvokeAsync);
            options.Filters.Message.OutgoingFilters.Add(HideFromSessionRevisions);
        }

        private static McpServerRequestHandler Method(string method, McpRequestHandler<JsonNode?, JsonNode?> handle) => new()
        {
            Method = method,
            RoutingNameParameter = "taskId",
            Handler = handle,
        };
    }

    /// <summary>The task store on the backend the state store uses (one connection, one database).</summary>
    private static ITaskStore CreateStore(IServiceProvider provider)
    {
        var time = provider.GetRequiredService<TimeProvider>();
        return provider.GetRequiredService<IStateStore>().Kind switch
        {
            "cosmos" => new CosmosTaskStore(provider.GetRequiredService<CosmosStateStore>().ContainerAsync, time),
            "redis" => new RedisTaskStore(provider.GetRequiredService<IConnectionMultiplexer>(), time),
            _ => new SqliteTaskStore(Path.Combine(provider.GetRequiredService<IHostEnvironment>().ContentRootPath,
                provider.GetRequiredService<IOptions<StateOptions>>().Value.SqlitePath), time),
        };
    }

    /// <summary>
    /// The extension is a 2026-07-28 feature: initialize results (the session revisions) do not advertise it, only
    /// server/discover does.
    /// </summary>
    private static McpMessageHandler HideFromSessionRevisions(McpMessageHandler next) => (context, cancellationToken) =>
    {
        if (!ProtocolRevisions.UsesPerRequestMetadata(context.Server.NegotiatedProtocolVersion) && // 2026-07-28 traffic passes at once
            context.JsonRpcMessage is JsonRpcResponse { Result: JsonObject result } &&
            result["protocolVersion"] is JsonValue version && version.TryGetValue(out string? revision) && !ProtocolRevisions.UsesPerRequestMetadata(revision) &&
            result["capabilities"]?["extensions"] is JsonObject extensions && extensions.Remove(TaskProtocol.ExtensionId) && extensions.Count == 0)
        {
            result["capabilities"]!.AsObject().Remove("extensions");
        }
        return next(context, cancellationToken);
    };
}

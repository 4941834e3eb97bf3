using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Prynai.McpServer.Tasks;
using ProtocolServer = ModelContextProtocol.Server.McpServer;

namespace Prynai.McpServer.Notifications;

/// <summary>
/// <c>subscriptions/listen</c> (protocol 2026-07-28): holds each listen request open on this replica, acknowledges
/// what it will deliver, and forwards matching notifications tagged with the subscription id. The SDK's built-in
/// handler grants nothing on a stateless transport, so this replaces it.
/// </summary>
internal sealed partial class ListenSubscriptions(
    ResourceCatalog resources,
    IHostApplicationLifetime lifetime,
    ILogger<ListenSubscriptions> logger,
    TaskNotifications? tasks = null,
    Revisions.RevisionRegistry? revisions = null) : INotificationTarget
{
    private readonly ConcurrentDictionary<Listener, byte> _listeners = new();

    public int Count => _listeners.Count;

    public async ValueTask<EmptyResult> ListenAsync(RequestContext<SubscriptionsListenRequestParams> request, CancellationToken cancellationToken)
    {
        var requested = request.Params?.Notifications ?? new SubscriptionsListenNotifications();
        var unknown = requested.ResourceSubscriptions?.Where(uri => !resources.Exists(uri)).ToArray() ?? [];
        if (unknown.Length > 0)
        {
            throw new McpProtocolException($"Unknown resource URI(s) in resourceSubscriptions: {string.Join(", ", unknown)}.", McpErrorCode.InvalidParams);
        }

        var granted = new SubscriptionsListenNotifications
        {
            ToolsListChanged = requested.ToolsListChanged == true ? true : null,
            PromptsListChanged = requested.PromptsListChanged == true ? true : null,
            ResourcesListChanged = requested.ResourcesListChanged == true ? true : null,
            ResourceSubscriptions = requested.ResourceSubscriptions is { Count: > 0 } uris ? [.. uris.Distinct(StringComparer.Ordinal)] : null,
        };
        var subscriptionId = request.JsonRpcRequest.Id;
        var taskIds = tasks is null ? [] : await tasks.GrantAsync(request, cancellationToken);
        var listener = new Listener(request.Server, subscriptionId, granted, taskIds);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        // Registered before the acknowledgement goes out and gated on it, so no change in between is lost
        // and none is sent before the acknowledgement (the spec's ordering rule).
        _listeners[listener] = 0;
        try
        {
            await listener.AcknowledgeAsync(stop.Token);
            await SendTaskStatesAsync(listener);
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Graceful close (this replica drains): the response below tells the client the stream ended on purpose. Where the
            // client listens next, another revision may serve other lists: it learns that first.
            await TellAboutOtherRevisionsAsync(listener);
        }
        finally
        {
            _listeners.TryRemove(listener, out _);
        }
        return new EmptyResult { Meta = new JsonObject { [MetaKeys.SubscriptionId] = ToNode(subscriptionId) } };
    }

    public Task ResourceUpdatedAsync(string uri) =>
        SendAsync(l => l.Granted.ResourceSubscriptions?.Contains(uri) == true,
            NotificationMethods.ResourceUpdatedNotification, () => new JsonObject { ["uri"] = uri });

    public Task ListChangedAsync(string method) => SendAsync(Wants(method), method, () => new JsonObject());

    private static Func<Listener, bool> Wants(string listChanged) => listChanged switch
    {
        NotificationMethods.ToolListChangedNotification => l => l.Granted.ToolsListChanged == true,
        NotificationMethods.PromptListChangedNotification => l => l.Granted.PromptsListChanged == true,
        NotificationMethods.ResourceListChangedNotification => l => l.Granted.ResourcesListChanged == true,
        _ => _ => false,
    };

    /// <summary>notifications/tasks (io.modelcontextprotocol/tasks) to the listeners that follow the task.</summary>
    public async Task TaskChangedAsync(string taskId)
    {
        if (tasks is not null && _listeners.Keys.Any(l => l.TaskIds.Contains(taskId)) &&
            await tasks.ParametersAsync(taskId, CancellationToken.None) is { } task)
        {
            await SendAsync(l => l.TaskIds.Contains(taskId), TaskNotifications.Method, () => (JsonObject)task.DeepClone());
        }
    }

    /// <summary>list_changed for each granted list that another live revision serves differently.</summary>
    private async Task TellAboutOtherRevisionsAsync(Listener listener)
    {
        if (revisions is null)
        {
            return;
        }
        foreach (var method in await revisions.ListsChangedElsewhereAsync())
        {
            if (Wants(method)(listener))
            {
                await SendAsync(l => l == listener, method, () => new JsonObject());
            }
        }
    }

    /// <summary>Where each followed task stands right after the acknowledgement, so no change before it goes unseen.</summary>
    private async Task SendTaskStatesAsync(Listener listener)
    {
        foreach (var taskId in listener.TaskIds)
        {
            if (await tasks!.ParametersAsync(taskId, CancellationToken.None) is { } task)
            {
                await SendAsync(l => l == listener, TaskNotifications.Method, () => task);
            }
        }
    }

    private async Task SendAsync(Func<Listener, bool> wants, string method, Func<JsonObject> parameters)
    {
        foreach (var listener in _listeners.Keys)
        {
            if (!wants(listener))
            {
                continue;
            }
            try
            {
                await listener.SendAsync(method, parameters());
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogDeliveryFailed(logger, ex, method);
            }
        }
    }

    private static JsonNode? ToNode(RequestId id) => id.Id switch
    {
        string s => JsonValue.Create(s),
        long l => JsonValue.Create(l),
        _ => null,
    };

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not deliver {Method} to a listen stream (the client probably left)")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, string method);

    private sealed class Listener(ProtocolServer server, RequestId subscriptionId, SubscriptionsListenNotifications granted, IReadOnlyList<string> taskIds)
    {
        private readonly TaskCompletionSource _acknowledged = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public SubscriptionsListenNotifications Granted { get; } = granted;

        public IReadOnlyList<string> TaskIds { get; } = taskIds;

        public async Task AcknowledgeAsync(CancellationToken cancellationToken)
        {
            var parameters = new JsonObject
            {
                ["notifications"] = System.Text.Json.JsonSerializer.SerializeToNode(Granted,
                    McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(SubscriptionsListenNotifications))),
            };
            if (TaskIds.Count > 0)
            {
                parameters["notifications"]!["taskIds"] = new JsonArray([.. TaskIds.Select(id => (JsonNode)id)]);
            }
            try
            {
                await SendUngatedAsync(NotificationMethods.SubscriptionsAcknowledgedNotification, parameters, cancellationToken);
                _acknowledged.TrySetResult();
            }
            catch
            {
                _acknowledged.TrySetCanceled(CancellationToken.None);
                throw;
            }
        }

        public async Task SendAsync(string method, JsonObject parameters)
        {
            await _acknowledged.Task;
            await SendUngatedAsync(method, parameters, CancellationToken.None);
        }

        private Task SendUngatedAsync(string method, JsonObject parameters, CancellationToken cancellationToken)
        {
            parameters["_meta"] = new JsonObject { [MetaKeys.SubscriptionId] = ToNode(subscriptionId) };
            return server.SendNotificationAsync(method, parameters, cancellationToken: cancellationToken);
        }
    }
}

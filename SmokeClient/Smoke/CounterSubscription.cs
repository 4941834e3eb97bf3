using System.Text.Json.Nodes;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Prynai.SmokeClient.Smoke;

/// <summary>
/// Listens for updates of prynai://counter the way the negotiated revision does it: resources/subscribe on a
/// session, a held-open subscriptions/listen request on 2026-07-28 (the 2.3.1 client has no helper for it).
/// </summary>
internal sealed class CounterSubscription : IAsyncDisposable
{
    private const string CounterUri = "prynai://counter";
    private readonly List<IAsyncDisposable> _parts = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _listen = Task.CompletedTask;

    public static async Task<CounterSubscription> StartAsync(McpClient client, Action onUpdate, CancellationToken cancellationToken)
    {
        var subscription = new CounterSubscription();
        if (!SmokeRun.IsStateless(client))
        {
            subscription._parts.Add(await client.SubscribeToResourceAsync(CounterUri, (_, _) =>
            {
                onUpdate();
                return default;
            }, cancellationToken: cancellationToken));
            return subscription;
        }

        var acknowledged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        subscription._parts.Add(client.RegisterNotificationHandler(NotificationMethods.SubscriptionsAcknowledgedNotification, (_, _) =>
        {
            acknowledged.TrySetResult();
            return default;
        }));
        subscription._parts.Add(client.RegisterNotificationHandler(NotificationMethods.ResourceUpdatedNotification, (notification, _) =>
        {
            if (notification.Params?["uri"]?.GetValue<string>() == CounterUri)
            {
                onUpdate();
            }
            return default;
        }));

        var parameters = new JsonObject { ["notifications"] = new JsonObject { ["resourceSubscriptions"] = new JsonArray(CounterUri) } };
        subscription._listen = client.SendRequestAsync(
            new JsonRpcRequest { Method = RequestMethods.SubscriptionsListen, Params = parameters }, subscription._stop.Token);
        await acknowledged.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
        return subscription;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _listen;
        }
        catch (OperationCanceledException)
        {
        }
        foreach (var part in _parts)
        {
            await part.DisposeAsync();
        }
        _stop.Dispose();
    }
}

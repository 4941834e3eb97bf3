using ModelContextProtocol.Protocol;

namespace Prynai.McpServer.Transport;

/// <summary>
/// A stateless (2026-07-28) request's tool call ends when its client disconnects: nobody can receive its result, and
/// the SDK keeps a stateless handler running to the end (a session's client cancels with notifications/cancelled
/// instead; there a disconnection is not a cancellation). The HTTP request's abort token travels with the message,
/// and the tool-call filter links it into the token the tool sees.
/// </summary>
internal static class ClientDisconnect
{
    private const string Key = "prynai.client-disconnected";

    public static void Attach(JsonRpcMessage message, CancellationToken requestAborted)
    {
        message.Context ??= new JsonRpcMessageContext();
        (message.Context.Items ??= new Dictionary<string, object?>())[Key] = requestAborted;
    }

    /// <summary>The request's disconnect token, or none for session requests.</summary>
    public static CancellationToken Of(JsonRpcMessage? message) =>
        message?.Context?.Items is { } items && items.TryGetValue(Key, out var value) && value is CancellationToken token ? token : CancellationToken.None;
}

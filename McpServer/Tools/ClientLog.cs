using System.Text.Json;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Prynai.McpServer.Transport;
using Prynai.McpServer.Transport.Sessions;

namespace Prynai.McpServer.Tools;

// Log notifications are deprecated by protocol 2026-07-28 (MCP9005) but remain part of the older revisions this
// server still serves, and of 2026-07-28 clients that ask for them with _meta logLevel.
#pragma warning disable MCP9005

/// <summary>Sends <c>notifications/message</c> to the calling client, honouring the level it asked for.</summary>
internal static class ClientLog
{
    public const string LoggerName = "prynai";

    public static Task InfoAsync(this MessageContext request, string message, CancellationToken cancellationToken) =>
        SendAsync(request, LoggingLevel.Info, message, cancellationToken);

    public static Task WarningAsync(this MessageContext request, string message, CancellationToken cancellationToken) =>
        SendAsync(request, LoggingLevel.Warning, message, cancellationToken);

    public static Task DebugAsync(this MessageContext request, string message, CancellationToken cancellationToken) =>
        SendAsync(request, LoggingLevel.Debug, message, cancellationToken);

    public static Task SendAsync(MessageContext request, LoggingLevel level, string message, CancellationToken cancellationToken)
    {
        if (!ShouldSend(request, level))
        {
            return Task.CompletedTask;
        }

        return request.Server.SendNotificationAsync(
            NotificationMethods.LoggingMessageNotification,
            new LoggingMessageNotificationParams
            {
                Level = level,
                Logger = LoggerName,
                Data = JsonSerializer.SerializeToElement(message),
            },
            cancellationToken: cancellationToken);
    }

    /// <summary>The level a session's client gets until it calls logging/setLevel: info and above, no debug chatter.</summary>
    public const LoggingLevel SessionDefaultLevel = LoggingLevel.Info;

    /// <summary>
    /// Session clients get messages from <see cref="SessionDefaultLevel"/> up until they call logging/setLevel, then
    /// from the level they chose; 2026-07-28 clients only get messages when their request's _meta names a level, as
    /// that revision requires. Tasks have no log messages.
    /// </summary>
    internal static bool ShouldSend(MessageContext request, LoggingLevel level) =>
        Tasks.TaskExecution.Of(request) is null && (request.JsonRpcMessage.Context?.LogLevel ?? SessionLogLevel.Of(request) ?? request.Server.LoggingLevel) switch
        {
            { } minimum => level >= minimum,
            null => !ProtocolRevisions.UsesPerRequestMetadata(request.Server.NegotiatedProtocolVersion) && level >= SessionDefaultLevel,
        };
}

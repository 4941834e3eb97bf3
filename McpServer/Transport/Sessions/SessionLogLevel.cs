using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Prynai.McpServer.Transport.Sessions;

// logging/setLevel is deprecated by protocol 2026-07-28 (MCP9005) but part of the session revisions served here.
#pragma warning disable MCP9005

/// <summary>
/// The log level a session client chose with logging/setLevel belongs to the session, not to the SDK server that
/// happened to serve it: it is kept with the session's record, so a session restored after parking, or on another
/// replica, still sends the client exactly the levels it asked for.
/// </summary>
internal static class SessionLogLevel
{
    /// <summary>The SDK stores the level on its server first, then calls this handler: the session keeps it too.</summary>
    public static void RememberChoices(McpServerOptions options) =>
        options.Handlers.SetLoggingLevelHandler = async (request, cancellationToken) =>
        {
            if (request.Params is { } setLevel && SessionOf(request) is { } found)
            {
                await found.Table.SetLogLevelAsync(found.Session, WireName(setLevel.Level), cancellationToken);
            }
            return new EmptyResult();
        };

    /// <summary>The level the calling session chose, if it is a session that chose one.</summary>
    public static LoggingLevel? Of(MessageContext request) =>
        SessionOf(request) is { Session.LogLevel: { } level }
            ? JsonSerializer.Deserialize($"\"{level}\"", LevelTypeInfo)
            : null;

    private static (ResidentSessions Table, HandshakeSession Session)? SessionOf(MessageContext request) =>
        request.Server.SessionId is { } id && request.Services?.GetService<ResidentSessions>() is { } table && table.TryGet(id, out var session)
            ? (table, session)
            : null;

    private static string WireName(LoggingLevel level) => JsonSerializer.Serialize(level, LevelTypeInfo).Trim('"');

    private static readonly System.Text.Json.Serialization.Metadata.JsonTypeInfo<LoggingLevel> LevelTypeInfo =
        (System.Text.Json.Serialization.Metadata.JsonTypeInfo<LoggingLevel>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(LoggingLevel));
}

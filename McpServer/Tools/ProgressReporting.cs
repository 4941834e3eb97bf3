using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Prynai.McpServer.Tasks;

namespace Prynai.McpServer.Tools;

/// <summary>
/// Sends a progress notification and waits until it is written, so every step reaches the client before the
/// result does (the SDK's injected IProgress sends without waiting, and the last step can arrive after the result).
/// Inside a task, where progress notifications do not exist, the step becomes the task's status message instead.
/// </summary>
internal static class ProgressReporting
{
    public static Task ReportProgressAsync(this RequestContext<CallToolRequestParams> request, float progress, float total, string message, CancellationToken cancellationToken) =>
        TaskExecution.Of(request) is { } task ? task.ReportProgressAsync(message)
        : request.Params?.ProgressToken is { } token
            ? request.Server.NotifyProgressAsync(token, new ProgressNotificationValue { Progress = progress, Total = total, Message = message }, cancellationToken: cancellationToken)
            : Task.CompletedTask;
}

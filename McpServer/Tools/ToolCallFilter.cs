using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Prynai.McpServer.State;
using Prynai.McpServer.Telemetry;
using Prynai.McpServer.Transport;

namespace Prynai.McpServer.Tools;

/// <summary>
/// Wraps every tools/call: arguments are checked against the tool's schema first (a precise tool error instead of
/// a binding failure); a tool's <see cref="McpException"/> and a state store outage become tool errors carrying
/// their message. Protocol errors and input-required results pass through to the SDK.
/// </summary>
internal static class ToolCallFilter
{
    public static McpRequestHandler<CallToolRequestParams, CallToolResult> Create(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        async (request, cancellationToken) =>
        {
            var name = request.Params?.Name ?? "";
            var tool = request.MatchedPrimitive as McpServerTool;
            if (tool is null)
            {
                request.Server.ServerOptions.ToolCollection?.TryGetPrimitive(name, out tool);
            }
            var telemetry = request.Services?.GetService<PrynaiTelemetry>();
            if (tool is not null &&
                ToolArgumentValidator.Validate(tool, request.Params?.Arguments) is { Count: > 0 } problems)
            {
                return Record(telemetry, name, Error($"Invalid arguments for tool '{tool.ProtocolTool.Name}': {string.Join("; ", problems)}."));
            }

            using var linked = ClientDisconnect.Of(request.JsonRpcMessage) is { CanBeCanceled: true } disconnected
                ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, disconnected)
                : null;
            cancellationToken = linked?.Token ?? cancellationToken;
            try
            {
                return Record(telemetry, name, await next(request, cancellationToken));
            }
            catch (StateStoreUnavailableException ex)
            {
                return Record(telemetry, name, Error($"Tool '{request.Params?.Name}' could not run: {ex.Message}"));
            }
            catch (McpException ex) when (ex is not McpProtocolException)
            {
                // A tool's own refusal (bad input, a rule it enforces): the caller's problem, not the server's, so it
                // becomes a tool error here instead of an error-level log entry with a stack trace in the SDK.
                return Record(telemetry, name, Error(ex.Message));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                telemetry?.ToolCalls.Add(1, new("gen_ai.tool.name", name), new("outcome", "cancelled"));
                throw;
            }
            catch (Exception ex) when (ex is McpProtocolException or InputRequiredException)
            {
                if (ex is McpProtocolException)
                {
                    telemetry?.ToolCalls.Add(1, new("gen_ai.tool.name", name), new("outcome", "protocol_error"));
                }
                throw;
            }
        };

    private static CallToolResult Record(PrynaiTelemetry? telemetry, string tool, CallToolResult result)
    {
        telemetry?.ToolCalls.Add(1, new("gen_ai.tool.name", tool), new("outcome", result.IsError == true ? "tool_error" : "ok"));
        return result;
    }

    public static CallToolResult Error(string message) => new()
    {
        IsError = true,
        Content = [new TextContentBlock { Text = message }],
    };
}

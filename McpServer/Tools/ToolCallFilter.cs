using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Prynai.McpServer.State;

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
            var tool = request.MatchedPrimitive as McpServerTool;
            if (tool is null && request.Params?.Name is { } name)
            {
                request.Server.ServerOptions.ToolCollection?.TryGetPrimitive(name, out tool);
            }
            if (tool is not null &&
                ToolArgumentValidator.Validate(tool.ProtocolTool.InputSchema, request.Params?.Arguments) is { Count: > 0 } problems)
            {
                return Error($"Invalid arguments for tool '{tool.ProtocolTool.Name}': {string.Join("; ", problems)}.");
            }

            try
            {
                return await next(request, cancellationToken);
            }
            catch (StateStoreUnavailableException ex)
            {
                return Error($"Tool '{request.Params?.Name}' could not run: {ex.Message}");
            }
            catch (McpException ex) when (ex is not McpProtocolException)
            {
                // A tool's own refusal (bad input, a rule it enforces): the caller's problem, not the server's, so it
                // becomes a tool error here instead of an error-level log entry with a stack trace in the SDK.
                return Error(ex.Message);
            }
        };

    public static CallToolResult Error(string message) => new()
    {
        IsError = true,
        Content = [new TextContentBlock { Text = message }],
    };
}

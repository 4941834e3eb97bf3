using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Prynai.McpServer.Tools;

/// <summary>echo: returns its input and logs it to the client (info).</summary>
[McpServerToolType]
public sealed class EchoTools
{
    /// <summary>Longest text echo accepts; longer input is almost certainly a mistake and would be sent back verbatim.</summary>
    public const int MaxLength = 100_000;

    [McpServerTool(Name = "echo", Title = "Echo", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Returns the given text unchanged and sends it as an info log notification.")]
    public static async Task<string> Echo(
        RequestContext<CallToolRequestParams> request,
        [Description("The text to echo back."), MaxLength(MaxLength)] string text,
        CancellationToken cancellationToken)
    {
        await request.InfoAsync($"echo: {text.Length} characters", cancellationToken);
        return text;
    }
}

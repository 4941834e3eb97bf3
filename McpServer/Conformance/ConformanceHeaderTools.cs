using System.ComponentModel;
using ModelContextProtocol.Server;

namespace Prynai.McpServer.Conformance;

/// <summary>
/// The fixture of the suite's http-custom-header-server-validation scenario (SEP-2243): parameters a client mirrors
/// into <c>Mcp-Param-*</c> headers, which the transport checks against the body before the tool runs.
/// </summary>
[McpServerToolType]
public sealed class ConformanceHeaderTools
{
    [McpServerTool(Name = "test_custom_headers"), Description("Echoes parameters that travel in Mcp-Param-* headers as well as in the body.")]
    public static string CustomHeaders(
        [McpHeader("Region"), Description("A region, mirrored into Mcp-Param-Region.")] string region,
        [McpHeader("Priority"), Description("A priority, mirrored into Mcp-Param-Priority.")] int? priority = null,
        [McpHeader("Verbose"), Description("Verbose output, mirrored into Mcp-Param-Verbose.")] bool? verbose = null) =>
        $"region={region} priority={priority?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"} verbose={verbose?.ToString() ?? "-"}";
}

using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ModelContextProtocol.Server;

namespace Prynai.ConformanceHost;

/// <summary>
/// The fixture of the suite's http-custom-header-server-validation scenario (SEP-2243): parameters a client mirrors
/// into <c>Mcp-Param-*</c> headers, which the transport checks against the body before the tool runs. The integer's
/// range is declared, as every tool's integers are: the argument validator then refuses a value its type cannot hold,
/// which would otherwise fail the SDK's binding with nothing but "An error occurred".
/// </summary>
[McpServerToolType]
public sealed class ConformanceHeaderTools
{
    [McpServerTool(Name = "test_custom_headers"), Description("Echoes parameters that travel in Mcp-Param-* headers as well as in the body.")]
    public static string CustomHeaders(
        [McpHeader("Region"), Description("A region, mirrored into Mcp-Param-Region.")] string region,
        [McpHeader("Priority"), Description("A priority, mirrored into Mcp-Param-Priority."), Range(int.MinValue, int.MaxValue)] int? priority = null,
        [McpHeader("Verbose"), Description("Verbose output, mirrored into Mcp-Param-Verbose.")] bool? verbose = null) =>
        $"region={region} priority={priority?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"} verbose={verbose?.ToString() ?? "-"}";
}

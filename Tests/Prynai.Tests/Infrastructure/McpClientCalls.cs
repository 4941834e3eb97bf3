using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Prynai.Tests.Infrastructure;

/// <summary>Calls through the MCP C# client that tests of several capabilities make.</summary>
public static class McpClientCalls
{
    /// <summary>Calls an arithmetic tool (<c>a</c>, <c>b</c>); asserts it succeeded and returns its structured result.</summary>
    public static async Task<double> NumberAsync(McpClient client, string tool, double a, double b)
    {
        var result = await client.CallToolAsync(tool, new Dictionary<string, object?> { ["a"] = a, ["b"] = b }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.NotEqual(true, result.IsError);
        return result.StructuredContent!.Value.GetProperty("result").GetDouble();
    }

    /// <summary>The text of a resource.</summary>
    public static async Task<string> ReadTextAsync(McpClient client, string uri) =>
        ((TextResourceContents)(await client.ReadResourceAsync(uri, cancellationToken: TestContext.Current.CancellationToken)).Contents[0]).Text;

    /// <summary>A tool result's text blocks, joined.</summary>
    public static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(b => b.Text));
}

using Prynai.McpServer.Prompts;

namespace Prynai.McpServer.Conformance;

/// <summary>
/// The fixtures the official MCP conformance suite calls, served when <c>Mcp:Conformance</c> is on. Registered before
/// the server's own tools: the suite calls <c>tools[0]</c> with no arguments and reads <c>resources[0]</c>.
/// </summary>
internal static class ConformanceFixtures
{
    public static IMcpServerBuilder AddConformanceFixtures(this IMcpServerBuilder builder)
    {
        builder.Services.AddSingleton<ICompletionSource, ConformanceCompletions>();
        return builder
            .WithTools<ConformanceTools>()
            .WithTools<ConformanceStatelessTools>()
            .WithTools<ConformanceHeaderTools>()
            .WithTools<ConformanceTaskTools>()
            .WithTools([ConformanceTaskTools.JsonSchema202012Tool()])
            .WithResources<ConformanceResources>()
            .WithPrompts<ConformancePrompts>();
    }
}

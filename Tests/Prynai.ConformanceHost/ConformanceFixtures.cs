using Prynai.McpServer.Prompts;

namespace Prynai.ConformanceHost;

/// <summary>The fixtures the official MCP conformance suite calls: tools, resources, prompts and a completion source.</summary>
public static class ConformanceFixtures
{
    public static IServiceCollection AddConformanceFixtures(this IServiceCollection services)
    {
        services.AddSingleton<ICompletionSource, ConformanceCompletions>();
        services.AddMcpServer()
            .WithTools<ConformanceTools>()
            .WithTools<ConformanceStatelessTools>()
            .WithTools<ConformanceHeaderTools>()
            .WithTools<ConformanceTaskTools>()
            .WithTools([ConformanceTaskTools.JsonSchema202012Tool()])
            .WithResources<ConformanceResources>()
            .WithPrompts<ConformancePrompts>();
        return services;
    }
}

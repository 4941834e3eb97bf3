namespace Prynai.McpServer.Conformance;

internal static class ConformanceFixtures
{
    public static IMcpServerBuilder AddConformanceFixtures(this IMcpServerBuilder builder) => builder;
}

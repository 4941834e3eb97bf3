using Prynai.ConformanceHost;

[assembly: HostingStartup(typeof(ConformanceServer.FixturesStartup))]

namespace Prynai.ConformanceHost;

/// <summary>
/// The product's own entry point (McpServer's Program, unchanged), with the conformance fixtures added through ASP.NET
/// Core's hosting-startup extension point: the same composition root, so the conformance suite always tests what ships.
/// The fixtures are registered as the host is created, before the product's own tools (the suite calls
/// <c>tools[0]</c> with no arguments and reads <c>resources[0]</c>).
/// </summary>
internal static class ConformanceServer
{
    public static Task<int> Main(string[] args)
    {
        Environment.SetEnvironmentVariable("ASPNETCORE_HOSTINGSTARTUPASSEMBLIES", typeof(ConformanceServer).Assembly.GetName().Name);
        var product = typeof(Program).Assembly.EntryPoint ?? throw new InvalidOperationException("Prynai.McpServer has no entry point.");
        return (Task<int>)product.Invoke(null, [args])!;
    }

    internal sealed class FixturesStartup : IHostingStartup
    {
        public void Configure(IWebHostBuilder builder) => builder.ConfigureServices(services => services.AddConformanceFixtures());
    }
}

using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace Prynai.McpServer;

/// <summary>
/// The SDK's server options, resolved on first use. Resolving <c>IOptions&lt;McpServerOptions&gt;</c> or its factory builds
/// every tool, prompt and resource with their JSON schemas (a few hundred milliseconds on a new replica), so the services
/// the host constructs as it starts take this instead: the build then runs beside the start (Transport/SurfaceWarmup), not
/// in its way.
/// </summary>
internal sealed class ServerOptionsOnDemand(IServiceProvider services)
{
    private readonly Lazy<IOptions<McpServerOptions>> _options = new(services.GetRequiredService<IOptions<McpServerOptions>>);
    private readonly Lazy<IOptionsFactory<McpServerOptions>> _factory = new(services.GetRequiredService<IOptionsFactory<McpServerOptions>>);

    public McpServerOptions Value => _options.Value.Value;

    public IOptionsFactory<McpServerOptions> Factory => _factory.Value;
}

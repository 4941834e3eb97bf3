using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace Prynai.McpServer.Transport;

/// <summary>
/// The server options every stateless request shares. Built once: rebuilding them per request (what
/// IOptionsFactory does) recreates every tool, resource and prompt — a measurable cost on the hot path.
/// </summary>
internal sealed class StatelessServerOptions(IOptionsFactory<McpServerOptions> factory)
{
    private readonly Lazy<McpServerOptions> _options = new(() =>
    {
        var options = factory.Create(Options.DefaultName);
        // The request's own DI scope serves the whole (request-long) server; no nested scope per message.
        options.ScopeRequests = false;
        return options;
    });

    public McpServerOptions Value => _options.Value;
}

using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;
using Prynai.McpServer.Transport.Sessions;

namespace Prynai.McpServer.Transport.Stateless;

/// <summary>
/// The server options stateless servers share. Built once: rebuilding them per request (what IOptionsFactory does)
/// recreates every tool, resource and prompt — a measurable cost on the hot path.
/// </summary>
internal sealed class StatelessServerOptions(IOptionsFactory<McpServerOptions> factory)
{
    private readonly Lazy<McpServerOptions> _perRequest = new(() => Create(factory, scopeRequests: false));
    private readonly Lazy<McpServerOptions> _pooled = new(() => Create(factory, scopeRequests: true));

    /// <summary>For a server that lives as long as one HTTP request and uses that request's DI scope.</summary>
    public McpServerOptions PerRequest => _perRequest.Value;

    /// <summary>For a pooled server built on the application's services: a DI scope per message.</summary>
    public McpServerOptions Pooled => _pooled.Value;

    private static McpServerOptions Create(IOptionsFactory<McpServerOptions> factory, bool scopeRequests)
    {
        var options = factory.Create(Options.DefaultName);
        options.ScopeRequests = scopeRequests;
        // A stateless server sends the client no requests, so there are no replies to route between replicas.
        options.Filters.Message.OutgoingFilters.Remove(SessionReplyRouter.TrackOutgoing);
        return options;
    }
}

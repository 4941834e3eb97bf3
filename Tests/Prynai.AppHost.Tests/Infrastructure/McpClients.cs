using ModelContextProtocol.Client;

namespace Prynai.AppHost.Tests.Infrastructure;

/// <summary>MCP clients on the server's endpoint: the C# client's default (2026-07-28, stateless) or a pinned older revision.</summary>
public static class McpClients
{
    public const string Stateless = "2026-07-28";
    public const string Session = "2025-11-25";

    /// <param name="newConnectionPerRequest">
    /// Close each connection after its request, so Aspire's proxy picks a replica for every request instead of once
    /// per kept-alive connection.
    /// </param>
    public static Task<McpClient> ConnectAsync(Uri endpoint, string? protocolVersion, bool newConnectionPerRequest = false, CancellationToken cancellationToken = default)
    {
        var http = newConnectionPerRequest ? new HttpClient(new ConnectionClosingHandler(new SocketsHttpHandler())) : new HttpClient();
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = endpoint,
            TransportMode = HttpTransportMode.StreamableHttp,
            Name = "prynai-apphost-tests",
        }, http, loggerFactory: null, ownsHttpClient: true);
        var options = new McpClientOptions
        {
            ProtocolVersion = protocolVersion,
            // The client takes a server/discover that has not answered in 5 s for an initialize-only server. A
            // replica's first request on a loaded 2-core machine can take longer (JIT, the stateless server pool).
            DiscoverProbeTimeout = TimeSpan.FromSeconds(30),
        };
        return McpClient.CreateAsync(transport, options, loggerFactory: null, cancellationToken);
    }

    private sealed class ConnectionClosingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.ConnectionClose = true;
            return base.SendAsync(request, cancellationToken);
        }
    }
}

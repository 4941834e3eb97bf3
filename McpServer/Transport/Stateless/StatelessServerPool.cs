using System.Collections.Concurrent;
using ModelContextProtocol.Server;
using ProtocolServer = ModelContextProtocol.Server.McpServer;

namespace Prynai.McpServer.Transport.Stateless;

/// <summary>
/// SDK servers for 2026-07-28 requests, reused one request at a time. Building an SDK server (its handler tables,
/// filter pipelines, channels) for every request was most of the cost of a stateless call. Reuse is safe on this
/// revision: the SDK keeps per-request client info, capabilities and log level request-scoped (DestinationBoundMcpServer),
/// every pooled server negotiates the same revision, and a server serves one request at a time, so request ids cannot
/// collide. A server whose request did not end cleanly (client gone, exception) is disposed instead of reused.
/// </summary>
internal sealed class StatelessServerPool(
    StatelessServerOptions options,
    IServiceProvider services,
    IHostApplicationLifetime lifetime,
    ILoggerFactory loggerFactory) : IAsyncDisposable
{
    /// <summary>Idle servers kept; more are built on demand under higher concurrency and dropped when returned.</summary>
    private static readonly int MaxIdle = Math.Max(32, Environment.ProcessorCount * 16);

    private readonly ConcurrentQueue<PooledServer> _idle = new();
    private int _idleCount;
    private volatile bool _disposed;

    public PooledServer Rent()
    {
        if (_idle.TryDequeue(out var server))
        {
            Interlocked.Decrement(ref _idleCount);
            return server;
        }
        // Until the host has stopped, not when it starts stopping: a draining replica still answers requests.
        return PooledServer.Start(options.Pooled, services, loggerFactory, lifetime.ApplicationStopped);
    }

    public ValueTask ReturnAsync(PooledServer server, bool reusable)
    {
        if (reusable && !_disposed)
        {
            if (Interlocked.Increment(ref _idleCount) <= MaxIdle)
            {
                _idle.Enqueue(server);
                return default;
            }
            Interlocked.Decrement(ref _idleCount);
        }
        return server.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        while (_idle.TryDequeue(out var server))
        {
            await server.DisposeAsync();
        }
    }
}

/// <summary>An SDK server running on its own stateless transport, fed one POST at a time.</summary>
internal sealed class PooledServer : IAsyncDisposable
{
    private readonly ProtocolServer _server;
    private readonly Task _run;

    private PooledServer(StreamableHttpServerTransport transport, ProtocolServer server, Task run)
    {
        Transport = transport;
        _server = server;
        _run = run;
    }

    public StreamableHttpServerTransport Transport { get; }

    public static PooledServer Start(McpServerOptions options, IServiceProvider services, ILoggerFactory loggerFactory, CancellationToken stopping)
    {
        // Each message runs in the execution context of the HTTP request that brought it (its span, its caller); the
        // server's own loop must not capture the context of whichever request happened to create it.
        var transport = new StreamableHttpServerTransport(loggerFactory) { Stateless = true, FlowExecutionContextFromRequests = true };
        var server = ProtocolServer.Create(transport, options, loggerFactory, services);
        using (ExecutionContext.SuppressFlow())
        {
            return new PooledServer(transport, server, server.RunAsync(stopping));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Transport.DisposeAsync();
        try
        {
            await _run;
        }
        catch (OperationCanceledException)
        {
        }
        await _server.DisposeAsync();
    }
}

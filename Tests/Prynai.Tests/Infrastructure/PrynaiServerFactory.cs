using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Prynai.SmokeClient.Connection;

namespace Prynai.Tests.Infrastructure;

/// <summary>
/// The real server, in process (ASP.NET Core's test host), with its own SQLite file and fast tool delays.
/// Settings are applied as host settings so they are visible while Program registers services.
/// </summary>
public sealed class PrynaiServerFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly TempDirectory? _ownDirectory;

    private readonly System.Net.IPAddress? _remoteAddress;

    /// <param name="remoteAddress">The client address requests appear to come from (the test host leaves it empty).</param>
    private readonly Action<IServiceCollection>? _configureServices;

    public PrynaiServerFactory(IDictionary<string, string?>? settings = null, string? stateDirectory = null, string environment = "Development",
        System.Net.IPAddress? remoteAddress = null, Action<IServiceCollection>? configureServices = null)
    {
        _remoteAddress = remoteAddress;
        _configureServices = configureServices;
        if (stateDirectory is null)
        {
            _ownDirectory = new TempDirectory();
            stateDirectory = _ownDirectory.Path;
        }
        Environment = environment;
        _settings = new(StringComparer.OrdinalIgnoreCase)
        {
            ["State:SqlitePath"] = Path.Combine(stateDirectory, "prynai.db"),
            ["Support:SqlitePath"] = Path.Combine(stateDirectory, "contoso.db"),
            // A small support desk seeds in milliseconds (and in about a second on the Cosmos test server).
            ["Support:CustomerCount"] = "5",
            ["Tools:StepDelay"] = "00:00:00.010",
            // Every in-process request comes from one "address"; the limit has its own tests.
            ["Security:RateLimit:Enabled"] = "false",
            // A test host stops as soon as the test is done: a replica's 2 s of answering during its drain (which
            // the drain tests exercise out of process) would add 2 s to every test.
            ["Drain:AcceptFor"] = "00:00:00",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
    }

    public string Environment { get; }

    public Uri McpEndpoint => new(Server.BaseAddress, "/mcp");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environment);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        if (_configureServices is { } configure)
        {
            builder.ConfigureServices(configure);
        }
        if (_remoteAddress is { } address)
        {
            builder.ConfigureServices(services => services.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter>(new RemoteAddressFilter(address)));
        }
    }

    private sealed class RemoteAddressFilter(System.Net.IPAddress address) : Microsoft.AspNetCore.Hosting.IStartupFilter
    {
        public Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> Configure(Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> next) => app =>
        {
            app.Use(nextMiddleware => context =>
            {
                context.Connection.RemoteIpAddress = address;
                return nextMiddleware(context);
            });
            next(app);
        };
    }

    /// <summary>An MCP C# client talking to this server (2026-07-28 unless a protocol is pinned).</summary>
    public Task<McpClient> ConnectAsync(string? protocolVersion = null, bool sampling = true, string? token = null, McpClientHandlers? handlers = null,
        HttpTransportMode mode = HttpTransportMode.StreamableHttp)
    {
        var headers = new Dictionary<string, string>();
        if (token is not null)
        {
            headers["Authorization"] = $"Bearer {token}";
        }
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = mode == HttpTransportMode.Sse ? new Uri(Server.BaseAddress, "/sse") : McpEndpoint,
            TransportMode = mode,
            AdditionalHeaders = headers,
        }, CreateClient(), loggerFactory: null, ownsHttpClient: true);

        handlers ??= new McpClientHandlers();
#pragma warning disable MCP9005 // the mock model answers the server's sampling requests (older revisions and input-required results)
        if (sampling)
        {
            handlers.SamplingHandler = McpConnection.MockSampleAsync;
        }
#pragma warning restore MCP9005
        return McpClient.CreateAsync(transport, new McpClientOptions
        {
            ClientInfo = new Implementation { Name = "prynai-tests", Version = "1" },
            ProtocolVersion = protocolVersion,
            Handlers = handlers,
        }, loggerFactory: null, TestContext.Current.CancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _ownDirectory?.Dispose();
        }
    }
}

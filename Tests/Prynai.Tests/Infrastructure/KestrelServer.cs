using Microsoft.Extensions.Logging;

namespace Prynai.Tests.Infrastructure;

/// <summary>
/// The real server in process on real Kestrel (a loopback port), for tests whose bytes the test host would not carry
/// (invalid header bytes, broken chunked framing), with every log entry captured.
/// </summary>
public sealed class KestrelServer : IAsyncDisposable
{
    private readonly PrynaiServerFactory _factory;

    private KestrelServer(PrynaiServerFactory factory, CapturedLogs logs)
    {
        _factory = factory;
        Logs = logs;
    }

    public CapturedLogs Logs { get; }

    public Uri BaseAddress => _factory.ClientOptions.BaseAddress;

    public IServiceProvider Services => _factory.Services;

    public static KestrelServer Start(CapturedLogs? logs = null, IDictionary<string, string?>? settings = null)
    {
        logs ??= new CapturedLogs();
        var factory = new PrynaiServerFactory(settings, configureServices: services => services.AddSingleton<ILoggerProvider>(logs));
        factory.UseKestrel(0);
        factory.StartServer();
        return new KestrelServer(factory, logs);
    }

    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();
}

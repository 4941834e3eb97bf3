using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace Prynai.McpServer.Security.Authentication;

/// <summary>
/// Fetches the token issuer's metadata and signing keys in the background as the server starts, so the first
/// authenticated request does not wait for them (a new replica takes traffic at once; an MCP client gives its first
/// request only a few seconds). A failure is only logged: the first request fetches again and reports it as usual.
/// </summary>
internal sealed partial class IssuerMetadataWarmup(IOptionsMonitor<JwtBearerOptions> options, ILogger<IssuerMetadataWarmup> logger) : IHostedService
{
    private readonly CancellationTokenSource _stopping = new();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = Task.Run(FetchAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => _stopping.CancelAsync();

    private async Task FetchAsync()
    {
        try
        {
            if (options.Get(IdentityWebBearer.Scheme).ConfigurationManager is { } metadata)
            {
                await metadata.GetConfigurationAsync(_stopping.Token);
            }
        }
        catch (Exception ex) when (!_stopping.IsCancellationRequested)
        {
            LogFetchFailed(logger, ex.GetType().Name);
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not fetch the token issuer's metadata at start ({Error}); the first authenticated request will try again")]
    private static partial void LogFetchFailed(ILogger logger, string error);
}

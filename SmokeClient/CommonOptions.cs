using System.CommandLine;
using Prynai.SmokeClient.Connection;
using Prynai.SmokeClient.Tokens;

namespace Prynai.SmokeClient;

/// <summary>The connection options every command shares: --url, --protocol, --token.</summary>
internal sealed class CommonOptions
{
    private readonly Option<string?> _url = new("--url")
    {
        Description = $"The server's MCP endpoint (default: ${ConnectionSettings.UrlVariable}, then Aspire's services__mcp__*, then {ConnectionSettings.DefaultUrl}).",
    };

    private readonly Option<string?> _protocol = new("--protocol")
    {
        Description = "Pin a protocol revision, e.g. 2025-11-25 for the session-based one (default: the client's newest, 2026-07-28).",
    };

    private readonly Option<string?> _token = new("--token")
    {
        Description = $"Bearer token to send (default: ${ConnectionSettings.TokenVariable}).",
    };

    private readonly Option<string> _auth = new("--auth")
    {
        Description = "How to get a token: none (default; --token if given) or entra (client credentials from ENTRA_* and SERVER_APP_ID_URI).",
        DefaultValueFactory = _ => "none",
    };

    private readonly Option<string?> _authority = new("--authority")
    {
        Description = "With --auth entra: an OpenID Connect authority to use instead of Entra's (default: $ENTRA_AUTHORITY).",
    };

    public static CommonOptions AddTo(Command command)
    {
        var options = new CommonOptions();
        options._auth.AcceptOnlyFromAmong("none", "entra");
        command.Add(options._url);
        command.Add(options._protocol);
        command.Add(options._token);
        command.Add(options._auth);
        command.Add(options._authority);
        return options;
    }

    /// <summary>The settings, or null (after printing why) when the URL is invalid or no token could be obtained.</summary>
    public async Task<ConnectionSettings?> ResolveAsync(ParseResult parse, bool sampling, CancellationToken cancellationToken)
    {
        var url = ConnectionSettings.ResolveUrl(parse.GetValue(_url));
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            Console.Error.WriteLine($"Not an http(s) URL: {url}");
            return null;
        }
        var token = parse.GetValue(_token) ?? Environment.GetEnvironmentVariable(ConnectionSettings.TokenVariable);
        if (parse.GetValue(_auth) == "entra")
        {
            token = await AcquireTokenAsync(parse, cancellationToken);
            if (token is null)
            {
                return null;
            }
        }
        return new ConnectionSettings(uri, parse.GetValue(_protocol), token, sampling);
    }

    /// <summary>A client-credentials token, or null after printing why none could be obtained.</summary>
    public async Task<string?> AcquireTokenAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var (credentials, missing) = ClientCredentials.FromEnvironment(parse.GetValue(_authority));
        if (credentials is null)
        {
            Console.Error.WriteLine($"Cannot get an Entra token: set {string.Join(", ", missing)}.");
            return null;
        }
        try
        {
            return await credentials.AcquireTokenAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is Microsoft.Identity.Client.MsalException or HttpRequestException or ArgumentException)
        {
            Console.Error.WriteLine($"Could not get a token for {credentials.Scope}: {ex.Message}");
            return null;
        }
    }
}

using System.CommandLine;
using Prynai.SmokeClient.Connection;

namespace Prynai.SmokeClient;

/// <summary>The connection options every command shares: --url, --protocol, --token.</summary>
internal sealed class CommonOptions
{
    private readonly Option<string?> _url = new("--url")
    {
        Description = $"The server's MCP endpoint (default: ${ConnectionSettings.UrlVariable}, then {ConnectionSettings.DefaultUrl}).",
    };

    private readonly Option<string?> _protocol = new("--protocol")
    {
        Description = "Pin a protocol revision, e.g. 2025-11-25 for the session-based one (default: the client's newest, 2026-07-28).",
    };

    private readonly Option<string?> _token = new("--token")
    {
        Description = $"Bearer token to send (default: ${ConnectionSettings.TokenVariable}).",
    };

    public static CommonOptions AddTo(Command command)
    {
        var options = new CommonOptions();
        command.Add(options._url);
        command.Add(options._protocol);
        command.Add(options._token);
        return options;
    }

    /// <summary>The settings, or null (after printing why) when the URL is not an absolute http(s) URL.</summary>
    public ConnectionSettings? Resolve(ParseResult parse, bool sampling)
    {
        var url = ConnectionSettings.ResolveUrl(parse.GetValue(_url));
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            Console.Error.WriteLine($"Not an http(s) URL: {url}");
            return null;
        }
        var token = parse.GetValue(_token) ?? Environment.GetEnvironmentVariable(ConnectionSettings.TokenVariable);
        return new ConnectionSettings(uri, parse.GetValue(_protocol), token, sampling);
    }
}

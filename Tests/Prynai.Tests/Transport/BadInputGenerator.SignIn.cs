using System.Text;
using System.Text.Json.Nodes;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Transport;

/// <summary>What a generated sign-in request may refer to: a registered client, its redirect URI, the server's URLs.</summary>
public sealed record SignInTargets(string ClientId, string RedirectUri, string McpUrl);

/// <summary>
/// The sign-in endpoints' bad input (issue 21): each request starts as a valid one — an authorization request of a
/// registered client, a token request, a registration, a consent answer, an upstream callback — and has one to three
/// things broken: an unknown client, a redirect URI it did not register, PKCE missing or <c>plain</c> or a wrong
/// verifier, a reused or made-up code, a tampered state, a resource of another server, an unsupported grant or response
/// type, a metadata-document client_id that is unreachable, plain http or on a private address, registration metadata
/// of the wrong shape, a consent answer without its form token, bytes that are not UTF-8.
/// </summary>
public sealed partial class BadInputGenerator
{
    private static readonly string[] SignInJunk =
    [
        "", "x", "%FF%FE", "%00", "\u00e9", new string('a', 5000), "https://10.0.0.1/client.json", "https://169.254.169.254/latest/meta-data",
        "http://example.com/client.json", "https://127.0.0.1:1/client.json", "https://[::1]/x", "javascript:alert(1)", "plain", "token",
        "id_token", "code token", "password", "client_credentials", "urn:ietf:params:oauth:grant-type:device_code", "http://other.example/mcp",
        "{\"a\":1}", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "offline_access openid", "unknown.scope", "S256 S256", "none",
    ];

    private static readonly string[] AuthorizeParameters =
        ["response_type", "client_id", "redirect_uri", "state", "code_challenge", "code_challenge_method", "resource", "scope", "request_uri", "prompt", "prynai_request"];

    private static readonly string[] TokenParameters =
        ["grant_type", "code", "redirect_uri", "code_verifier", "client_id", "client_secret", "resource", "refresh_token", "scope"];

    /// <summary>A broken request to one of the sign-in endpoints.</summary>
    public RawHttpRequest NextSignIn(SignInTargets targets) => _random.Next(5) switch
    {
        0 or 1 => Authorize(targets),
        2 => TokenRequest(targets),
        3 => Registration(),
        _ => _random.Next(2) == 0 ? ConsentAnswer() : UpstreamCallback(),
    };

    private RawHttpRequest Authorize(SignInTargets targets)
    {
        var pkce = Pkce.New();
        var parameters = new List<(string, string)>
        {
            ("response_type", "code"), ("client_id", targets.ClientId), ("redirect_uri", targets.RedirectUri), ("state", "st" + _random.Next()),
            ("code_challenge", pkce.Challenge), ("code_challenge_method", "S256"), ("resource", targets.McpUrl),
        };
        var description = Break(parameters, AuthorizeParameters);
        var query = Encode(parameters);
        return _random.Next(4) == 0
            ? Form("/authorize", query, "authorize (POST): " + description)
            : new RawHttpRequest("GET", [], [], BodyFraming.ContentLength, "authorize: " + description) { Target = "/authorize?" + Encoding.Latin1.GetString(query) };
    }

    private RawHttpRequest TokenRequest(SignInTargets targets)
    {
        var parameters = _random.Next(2) == 0
            ? new List<(string, string)> { ("grant_type", "authorization_code"), ("code", RandomToken()), ("redirect_uri", targets.RedirectUri), ("code_verifier", Pkce.New().Verifier), ("client_id", targets.ClientId), ("resource", targets.McpUrl) }
            : [("grant_type", "refresh_token"), ("refresh_token", RandomToken()), ("client_id", targets.ClientId)];
        var description = Break(parameters, TokenParameters);
        var request = Form("/token", Encode(parameters), "token: " + description);
        return _random.Next(6) == 0
            ? request with { Headers = [.. request.Headers, ("Authorization", Encoding.ASCII.GetBytes(Pick(["Basic !!!", "Basic " + Convert.ToBase64String("a"u8.ToArray()), "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(targets.ClientId + ":wrong")), "Bearer x"])))] }
            : request;
    }

    private RawHttpRequest Registration()
    {
        // Raw JSON text per member, so nasty values (lone surrogates) reach the server as written.
        var body = new Dictionary<string, string>
        {
            ["client_name"] = "\"Generated client\"",
            ["redirect_uris"] = "[\"http://127.0.0.1/generated\"]",
            ["token_endpoint_auth_method"] = "\"none\"",
            ["grant_types"] = "[\"authorization_code\",\"refresh_token\"]",
            ["response_types"] = "[\"code\"]",
        };
        var keys = new[] { "client_name", "redirect_uris", "token_endpoint_auth_method", "grant_types", "response_types", "jwks", "client_secret" };
        var changes = new List<string>();
        for (var count = 1 + _random.Next(3); count > 0; count--)
        {
            var key = Pick(keys);
            if (_random.Next(4) == 0)
            {
                body.Remove(key);
                changes.Add($"{key} removed");
                continue;
            }
            var junk = JsonValue.Create(Pick(SignInJunk))!.ToJsonString();
            var value = _random.Next(3) == 0 ? Pick(NastyJson) : _random.Next(2) == 0 ? $"[{junk}]" : junk;
            body[key] = value;
            changes.Add($"{key}={Shorten(value)}");
        }
        var bytes = Encoding.UTF8.GetBytes("{" + string.Join(",", body.Select(p => $"\"{p.Key}\":{p.Value}")) + "}");
        var contentType = Encoding.ASCII.GetBytes("application/json");
        switch (_random.Next(8))
        {
            case 0:
                bytes = bytes[..(bytes.Length / 2)];
                changes.Add("truncated JSON");
                break;
            case 1:
                bytes = [.. bytes[..^1], .. Pick(InvalidUtf8), (byte)'}'];
                changes.Add("invalid UTF-8");
                break;
            case 2:
                contentType = Encoding.ASCII.GetBytes("application/x-www-form-urlencoded");
                changes.Add("form content type");
                break;
        }
        return new RawHttpRequest("POST", [("Content-Type", contentType)], bytes, _random.Next(5) == 0 ? BodyFraming.Chunked : BodyFraming.ContentLength,
            "register: " + string.Join("; ", changes))
        { Target = "/register" };
    }

    private RawHttpRequest ConsentAnswer()
    {
        var parameters = new List<(string, string)> { ("request", RandomToken()), ("csrf", RandomToken()), ("decision", Pick(["approve", "deny", "", "maybe"])) };
        var description = Break(parameters, ["request", "csrf", "decision"]);
        return Form("/authorize/consent", Encode(parameters), "consent: " + description);
    }

    private RawHttpRequest UpstreamCallback()
    {
        var parameters = new List<(string, string)> { ("state", RandomToken()), ("code", RandomToken()) };
        var description = Break(parameters, ["state", "code", "error", "error_description", "session_state"]);
        return new RawHttpRequest("GET", [], [], BodyFraming.ContentLength, "callback: " + description) { Target = "/signin/callback?" + Encoding.Latin1.GetString(Encode(parameters)) };
    }

    /// <summary>Breaks one to three parameters: removed, replaced with junk, duplicated, or given bytes that are not UTF-8.</summary>
    private string Break(List<(string Name, string Value)> parameters, string[] names)
    {
        var changes = new List<string>();
        for (var count = 1 + _random.Next(3); count > 0; count--)
        {
            var name = Pick(names);
            var at = parameters.FindIndex(p => p.Name == name);
            switch (_random.Next(5))
            {
                case 0 when at >= 0:
                    parameters.RemoveAt(at);
                    changes.Add($"{name} removed");
                    break;
                case 1 when at >= 0:
                    parameters.Add((name, Pick(SignInJunk)));
                    changes.Add($"{name} twice");
                    break;
                case 2:
                    parameters.RemoveAll(p => p.Name == name);
                    parameters.Add((name, "\u0001RAW" + Convert.ToBase64String(Pick(InvalidUtf8))));
                    changes.Add($"{name} not UTF-8");
                    break;
                default:
                    var junk = Pick(SignInJunk);
                    parameters.RemoveAll(p => p.Name == name);
                    parameters.Add((name, junk));
                    changes.Add($"{name}={Shorten(junk)}");
                    break;
            }
        }
        return string.Join("; ", changes);
    }

    /// <summary>Form/query encoding, where a value marked raw is sent as its (invalid UTF-8) bytes percent-encoded.</summary>
    private static byte[] Encode(IEnumerable<(string Name, string Value)> parameters) => Encoding.ASCII.GetBytes(string.Join('&', parameters.Select(p =>
        Uri.EscapeDataString(p.Name) + "=" + (p.Value.StartsWith("\u0001RAW", StringComparison.Ordinal)
            ? string.Concat(Convert.FromBase64String(p.Value[4..]).Select(b => $"%{b:X2}"))
            : Uri.EscapeDataString(p.Value)))));

    private RawHttpRequest Form(string target, byte[] body, string description) =>
        new("POST", [("Content-Type", "application/x-www-form-urlencoded"u8.ToArray())], body, _random.Next(5) == 0 ? BodyFraming.Chunked : BodyFraming.ContentLength, description)
        { Target = target };

    private string RandomToken() => _random.Next(4) switch
    {
        0 => "",
        1 => Convert.ToBase64String(Encoding.ASCII.GetBytes("junk-" + _random.Next())),
        2 => "eyJhbGciOiJSUzI1NiJ9." + new string('A', _random.Next(1, 300)) + ".sig",
        _ => new string('z', _random.Next(1, 3000)),
    };

}

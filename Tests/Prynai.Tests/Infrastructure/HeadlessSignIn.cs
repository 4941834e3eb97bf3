using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.IdentityModel.Tokens;

namespace Prynai.Tests.Infrastructure;

/// <summary>
/// A browser without a screen, for sign-in tests that do not need a real one: follows redirects, keeps cookies (the
/// stand-in's <c>standin_user</c> picks who signs in), answers the consent page by posting its form, and stops at the
/// client's redirect URI. The consent page's real-browser tests use Playwright.
/// </summary>
public sealed partial class HeadlessSignIn : IDisposable
{
    private readonly HttpClient _http;
    private readonly Action<HttpRequestMessage>? _route;

    /// <param name="user">The stand-in user who signs in (its <c>standin_user</c> cookie).</param>
    /// <param name="trust">A certificate to trust besides the system's (the stand-in's self-signed one).</param>
    /// <param name="route">Changes a request before it is sent (tests of several replicas send steps to different ones).</param>
    public HeadlessSignIn(string? user = null, System.Security.Cryptography.X509Certificates.X509Certificate2? trust = null, Action<HttpRequestMessage>? route = null)
    {
        _route = route;
        Cookies = new CookieContainer();
        if (user is not null)
        {
            Cookies.Add(new Cookie("standin_user", user, "/", "127.0.0.1"));
        }
        var handler = new HttpClientHandler { CookieContainer = Cookies, AllowAutoRedirect = false, UseCookies = true };
        if (trust is not null)
        {
            handler.ServerCertificateCustomValidationCallback = (_, certificate, _, errors) =>
                errors == System.Net.Security.SslPolicyErrors.None || certificate?.RawData.AsSpan().SequenceEqual(trust.RawData) == true;
        }
        _http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
    }

    public CookieContainer Cookies { get; }

    /// <summary>How many consent pages this browser was shown.</summary>
    public int ConsentPages { get; private set; }

    /// <summary>The last page shown that was not a consent page (an error page), for assertions.</summary>
    public string? LastPage { get; private set; }

    public HttpStatusCode? LastStatus { get; private set; }

    /// <summary>
    /// Opens <paramref name="url"/> and goes where it leads until a redirect to <paramref name="redirectPrefix"/> (returned),
    /// or a page that is neither a redirect nor a consent page (null; see <see cref="LastPage"/>).
    /// </summary>
    public async Task<Uri?> FollowAsync(string url, string redirectPrefix, string decision = "approve", CancellationToken cancellationToken = default)
    {
        var next = new HttpRequestMessage(HttpMethod.Get, url);
        for (var hop = 0; hop < 20; hop++)
        {
            var sent = next.RequestUri!;
            _route?.Invoke(next);
            using var response = await _http.SendAsync(next, cancellationToken);
            LastStatus = response.StatusCode;
            if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                var target = location.IsAbsoluteUri ? location : new Uri(sent, location);
                if (target.AbsoluteUri.StartsWith(redirectPrefix, StringComparison.Ordinal))
                {
                    return target;
                }
                next = new HttpRequestMessage(HttpMethod.Get, target);
                continue;
            }
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (ConsentForm(body) is { } form)
            {
                ConsentPages++;
                next = new HttpRequestMessage(HttpMethod.Post, new Uri(sent, form.Action))
                {
                    Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["request"] = form.Request, ["csrf"] = form.Csrf, ["decision"] = decision }),
                };
                continue;
            }
            LastPage = body;
            return null;
        }
        throw new InvalidOperationException("Too many redirects.");
    }

    /// <summary>The consent form's action and hidden fields, when <paramref name="html"/> is the consent page.</summary>
    public static (string Action, string Request, string Csrf)? ConsentForm(string html)
    {
        var action = FormAction().Match(html);
        var request = Hidden("request").Match(html);
        var csrf = Hidden("csrf").Match(html);
        return action.Success && request.Success && csrf.Success
            ? (WebUtility.HtmlDecode(action.Groups[1].Value), WebUtility.HtmlDecode(request.Groups[1].Value), WebUtility.HtmlDecode(csrf.Groups[1].Value))
            : null;
    }

    private static Regex Hidden(string name) => new($"name=\"{name}\" value=\"([^\"]*)\"");

    [GeneratedRegex("<form method=\"post\" action=\"([^\"]*)\"")]
    private static partial Regex FormAction();

    public void Dispose() => _http.Dispose();
}

/// <summary>A PKCE pair (RFC 7636, S256).</summary>
public sealed record Pkce(string Verifier, string Challenge)
{
    public static Pkce New()
    {
        var verifier = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        return new Pkce(verifier, Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }
}

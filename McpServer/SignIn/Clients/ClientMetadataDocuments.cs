using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Prynai.McpServer.SignIn.Clients;

/// <summary>
/// Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document, the registration MCP 2025-11-25
/// prefers): a client_id that is an https URL is fetched, and the document at it describes the client. The fetch is a
/// request any client can make Prynai send, so it is fenced: https only, to public addresses only (every address the
/// name resolves to is checked, and the connection goes to a checked one, so DNS cannot swap in a private address),
/// no redirects, a size and a time limit. Documents are cached per their Cache-Control, at most
/// <see cref="ClientMetadataDocumentOptions.MaxCacheDuration"/>. OpenIddict 7.9 has no CIMD support; this is ours.
/// </summary>
internal sealed partial class ClientMetadataDocuments(IHttpClientFactory clients, IOptions<SignInOptions> options, TimeProvider time, ILogger<ClientMetadataDocuments> logger)
{
    public const string HttpClientName = "prynai-client-metadata";

    private readonly ConcurrentDictionary<string, (SignInClient Client, DateTimeOffset Expires)> _cache = new(StringComparer.Ordinal);

    /// <summary>Whether a client_id names a metadata document (an https URL; on loopback http too when allowed for tests).</summary>
    public bool IsDocumentUrl(string clientId) =>
        options.Value.ClientMetadataDocuments.Enabled && options.Value.PublicClients &&
        Uri.TryCreate(clientId, UriKind.Absolute, out var uri) &&
        (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && options.Value.ClientMetadataDocuments.AllowLoopback && IsLoopbackName(uri.Host)));

    public async Task<ClientLookup> FetchAsync(string clientId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(clientId, out var cached) && cached.Expires > now)
        {
            return new ClientLookup(cached.Client, null);
        }
        var settings = options.Value.ClientMetadataDocuments;
        var uri = new Uri(clientId);
        if (uri.UserInfo.Length > 0 || uri.Fragment.Length > 0 || uri.AbsolutePath is "/" or "" || clientId.Contains("/./", StringComparison.Ordinal) || clientId.Contains("/../", StringComparison.Ordinal))
        {
            return Refused("the client_id URL must have a path and no user information, fragment or dot segments");
        }
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(settings.FetchTimeout);
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var response = await clients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if ((int)response.StatusCode is >= 300 and < 400)
            {
                return Refused("the document URL redirects; metadata documents are fetched without following redirects");
            }
            if (!response.IsSuccessStatusCode)
            {
                return Refused($"fetching it answered HTTP {(int)response.StatusCode}");
            }
            if (response.Content.Headers.ContentLength > settings.MaxBytes)
            {
                return Refused($"it is larger than {settings.MaxBytes} bytes");
            }
            var body = await ReadLimitedAsync(response.Content, settings.MaxBytes, timeout.Token);
            if (body is null)
            {
                return Refused($"it is larger than {settings.MaxBytes} bytes");
            }
            var parsed = Parse(clientId, body);
            if (parsed.Client is { } client && CacheDuration(response.Headers.CacheControl, settings.MaxCacheDuration) is { } duration && duration > TimeSpan.Zero)
            {
                _cache[clientId] = (client, now + duration);
            }
            return parsed;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Refused($"it did not answer within {settings.FetchTimeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException ex) when (ex.InnerException is AddressRefusedException refused)
        {
            return Refused(refused.Message);
        }
        catch (HttpRequestException ex)
        {
            LogFetchFailed(logger, ex.HttpRequestError.ToString());
            return Refused("it could not be reached");
        }
    }

    /// <summary>The document's fields the server relies on, checked: its own URL as client_id, redirect URIs, a name, no secret.</summary>
    internal static ClientLookup Parse(string clientId, string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Refused("it is not a JSON object");
            }
            if (!root.TryGetProperty("client_id", out var id) || id.ValueKind != JsonValueKind.String || id.GetString() != clientId)
            {
                return Refused("its client_id is not the URL it was fetched from");
            }
            if (!root.TryGetProperty("redirect_uris", out var redirects) || redirects.ValueKind != JsonValueKind.Array || redirects.GetArrayLength() is 0 or > 20 ||
                redirects.EnumerateArray().Any(r => r.ValueKind != JsonValueKind.String || RedirectUriRules.Problem(r.GetString()!) is not null))
            {
                return Refused("its redirect_uris must be a list of 1 to 20 acceptable redirect URIs");
            }
            string? name = null;
            if (root.TryGetProperty("client_name", out var clientName))
            {
                name = clientName.ValueKind == JsonValueKind.String ? clientName.GetString() : null;
                if (name is null || name.Length is 0 or > 200 || name.Any(char.IsControl))
                {
                    return Refused("its client_name must be a string of 1 to 200 printable characters");
                }
            }
            if (root.TryGetProperty("token_endpoint_auth_method", out var method) && method.GetString() is not (null or "none"))
            {
                return Refused("it asks for a token_endpoint_auth_method other than none, which this server does not offer metadata-document clients");
            }
            if (root.TryGetProperty("client_secret", out _))
            {
                return Refused("it contains a client_secret, which a public document must not");
            }
            var uris = redirects.EnumerateArray().Select(r => r.GetString()!).ToList();
            return new ClientLookup(new SignInClient(clientId, name, uris, null, ClientSource.MetadataDocument), null);
        }
        catch (JsonException)
        {
            return Refused("it is not valid JSON");
        }
    }

    private static async Task<string?> ReadLimitedAsync(HttpContent content, int maxBytes, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[maxBytes + 1];
        var total = 0;
        int read;
        while (total <= maxBytes && (read = await stream.ReadAsync(buffer.AsMemory(total, buffer.Length - total), cancellationToken)) > 0)
        {
            total += read;
        }
        return total > maxBytes ? null : System.Text.Encoding.UTF8.GetString(buffer, 0, total);
    }

    private static TimeSpan? CacheDuration(CacheControlHeaderValue? cacheControl, TimeSpan max) =>
        cacheControl is { NoStore: true } or { NoCache: true } ? null
        : cacheControl?.MaxAge is { } maxAge ? (maxAge < max ? maxAge : max)
        : max;

    private static ClientLookup Refused(string why) => new(null, $"The client's metadata document was refused: {why}.");

    private static bool IsLoopbackName(string host) => host is "localhost" or "127.0.0.1" or "[::1]";

    /// <summary>
    /// The handler behind <see cref="HttpClientName"/>: resolves the name itself and connects only to an address that
    /// passes <see cref="IsPublic"/> (or loopback, when allowed for tests), never following redirects.
    /// </summary>
    public static SocketsHttpHandler CreateHandler(bool allowLoopback, string? trustedLoopbackCertificate) => new()
    {
        // Tests host documents on the loopback stand-in, whose certificate is trusted for the issuer already.
        SslOptions = allowLoopback && trustedLoopbackCertificate is { Length: > 0 } path
            ? new System.Net.Security.SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => errors == System.Net.Security.SslPolicyErrors.None ||
                    (certificate is not null && File.Exists(path) && certificate.GetRawCertData().AsSpan().SequenceEqual(
                        System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(path)).RawData)),
            }
            : new System.Net.Security.SslClientAuthenticationOptions(),
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        MaxResponseDrainSize = 0,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
            if (addresses.Length == 0 || addresses.Any(a => !(IsPublic(a) || (allowLoopback && IPAddress.IsLoopback(a)))))
            {
                throw new AddressRefusedException(host);
            }
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(addresses[0], context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    /// <summary>Not loopback, private (RFC 1918, ULA), link-local, shared (CGNAT), multicast, documentation or unspecified.</summary>
    internal static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
        {
            return false;
        }
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] == 10 || b[0] == 0 || (b[0] == 172 && b[1] >= 16 && b[1] <= 31) || (b[0] == 192 && b[1] == 168) ||
                     (b[0] == 169 && b[1] == 254) || (b[0] == 100 && b[1] >= 64 && b[1] <= 127) || b[0] >= 224 ||
                     (b[0] == 192 && b[1] == 0 && b[2] is 0 or 2) || (b[0] == 198 && b[1] is 18 or 19) || (b[0] == 198 && b[1] == 51 && b[2] == 100) ||
                     (b[0] == 203 && b[1] == 0 && b[2] == 113));
        }
        var bytes = address.GetAddressBytes();
        return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || (bytes[0] & 0xFE) == 0xFC ||
                 (bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] == 0x0D && bytes[3] == 0xB8) || address.IsIPv6Teredo);
    }

    private sealed class AddressRefusedException(string host)
        : Exception($"its host '{host}' resolves to a loopback, private or link-local address, which this server does not fetch from");

    [LoggerMessage(Level = LogLevel.Information, Message = "A client metadata document could not be fetched ({Error})")]
    private static partial void LogFetchFailed(ILogger logger, string error);
}

/// <summary>A client found (or not), and when not, a description for the error page or response.</summary>
internal sealed record ClientLookup(SignInClient? Client, string? Problem);

using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Prynai.McpServer.Security.Authentication;

/// <summary>
/// Trusts one more certificate — <see cref="AuthOptions.TrustedLoopbackCertificate"/>, a local stand-in issuer's
/// self-signed one — for the HttpClients that talk to the token issuer (metadata and keys; sign-in's upstream leg,
/// where MSAL accepts HTTPS authorities only). Exactly that certificate is accepted besides what the system trusts;
/// start-up validation allows the setting only for an issuer on loopback. The file is read on first use, so a
/// stand-in started alongside may write it after this server starts.
/// </summary>
internal static class LoopbackCertificateTrust
{
    public static IHttpClientBuilder TrustLoopbackCertificate(this IHttpClientBuilder builder, string? path)
    {
        if (path is not { Length: > 0 })
        {
            return builder;
        }
        var trusted = new Lazy<byte[]?>(() => File.Exists(path) ? X509Certificate2.CreateFromPem(File.ReadAllText(path)).RawData : null, LazyThreadSafetyMode.PublicationOnly);
        return builder.ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                    errors == SslPolicyErrors.None ||
                    (certificate is not null && trusted.Value is { } raw && certificate.GetRawCertData().AsSpan().SequenceEqual(raw)),
            },
        });
    }

    public static bool IsLoopback(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.IsLoopback || uri.Host == "localhost");
}

using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Prynai.Tests.Infrastructure;

/// <summary>
/// A throwaway certificate authority and a server certificate it signed, as PEM files for servers (redis-server) and
/// a trust bundle for a child process (<see cref="TrustEnvironment"/>: .NET on Linux reads SSL_CERT_FILE through
/// OpenSSL), so TLS is verified for real rather than switched off.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private readonly TempDirectory _directory = new("certs");

    private TestCertificates()
    {
    }

    public string CaCertificatePath => _directory.File("ca.pem");

    public string ServerCertificatePath => _directory.File("server.pem");

    public string ServerKeyPath => _directory.File("server.key");

    /// <summary>Environment for a child process that must trust this CA (and only it).</summary>
    public IReadOnlyDictionary<string, string?> TrustEnvironment => new Dictionary<string, string?>
    {
        ["SSL_CERT_FILE"] = CaCertificatePath,
        ["SSL_CERT_DIR"] = _directory.Path,
    };

    public static TestCertificates Create(string hostName)
    {
        var certificates = new TestCertificates();
        var now = DateTimeOffset.UtcNow;

        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=Prynai test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(7));

        using var serverKey = RSA.Create(2048);
        var serverRequest = new CertificateRequest($"CN={hostName}", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(hostName);
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var server = serverRequest.Create(ca, now.AddDays(-1), now.AddDays(6), RandomNumberGenerator.GetBytes(16));

        File.WriteAllText(certificates.CaCertificatePath, ca.ExportCertificatePem());
        File.WriteAllText(certificates.ServerCertificatePath, server.ExportCertificatePem());
        File.WriteAllText(certificates.ServerKeyPath, serverKey.ExportPkcs8PrivateKeyPem());
        return certificates;
    }

    public void Dispose() => _directory.Dispose();
}
